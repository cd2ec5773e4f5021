import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Abi, Hex } from "viem";

const contractsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/contracts");

export interface CompiledContract {
  abi: Abi;
  bytecode: Hex;
}

interface SolcOutput {
  errors?: { severity: string; formattedMessage: string }[];
  contracts: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>;
}

/**
 * Compiles `test/fixtures/contracts/<name>.sol` with solc-js (bundled, no download) and returns the contract of the
 * same name. `hardhat compile` would fetch a compiler from the internet, which these machines cannot reach.
 */
export function compileContract(name: string): CompiledContract {
  const require = createRequire(import.meta.url);
  const solc = require("solc") as { compile(input: string): string };
  const file = `${name}.sol`;
  const input = {
    language: "Solidity",
    sources: { [file]: { content: readFileSync(path.join(contractsDir, file), "utf8") } },
    settings: {
      optimizer: { enabled: true, runs: 200 },
      outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length > 0)
    throw new Error(`solc failed for ${file}:\n${errors.map((e) => e.formattedMessage).join("\n")}`);
  const contract = output.contracts[file]?.[name];
  if (!contract) throw new Error(`solc produced no contract ${name} in ${file}`);
  return { abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}` };
}
