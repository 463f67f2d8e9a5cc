/**
 * A private mosquitto MQTT broker for tests and development (eventbus's external mode). Scripts beside this file do
 * the work (install.sh, start.sh, stop.sh); these helpers run them.
 */
export {
  checkMosquittoInstalled,
  freePort,
  startMosquitto,
  type RunningMosquitto,
  type StartMosquittoOptions,
} from './mosquitto';
export { MosquittoError, type MosquittoErrorCode } from './errors';
