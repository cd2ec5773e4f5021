/**
 * A local EVM chain for the demo (`npm start`) and the test suites: a real `hardhat node` (hardhat 2, a dev
 * dependency) on a free loopback port. Production code paths never import this module.
 */
export { type HardhatNode, startHardhat } from "./hardhat.js";
export { freePort } from "./ports.js";
