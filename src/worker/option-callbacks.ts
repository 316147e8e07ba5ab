import { earlyStopping } from '../callbacks/early-stopping.js';
import { reduceLROnPlateau } from '../callbacks/reduce-lr-on-plateau.js';
import type { Callbacks } from '../models/sequential.js';
import type { WorkerFitOptions } from './protocol.js';

/**
 * The callbacks a worker's fit takes by their options alone (functions cannot be sent to a worker), built from
 * fitOptions. trainInWorker builds them too, and drops them, so that bad options fail before anything is posted.
 */
export function optionCallbacks(fitOptions: WorkerFitOptions): Callbacks[] {
  const list: Callbacks[] = [];
  if (fitOptions.earlyStopping !== undefined) list.push(earlyStopping(fitOptions.earlyStopping));
  if (fitOptions.reduceLROnPlateau !== undefined) list.push(reduceLROnPlateau(fitOptions.reduceLROnPlateau));
  return list;
}
