// The demo's training worker: everything it does is scratchnet's serveTraining, which answers trainInWorker.
import { serveTraining } from 'scratchnet';

serveTraining();
