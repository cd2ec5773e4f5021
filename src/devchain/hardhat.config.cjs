// Local EVM node for tests: `hardhat node` with a fixed chain id and automine on (tests switch it off when they
// need several transactions in one block).
module.exports = {
  solidity: "0.8.20",
  networks: { hardhat: { chainId: 31337, mining: { auto: true, interval: 0 } } },
};
