/**
 * Seeded generator of mainnet-shaped Stellar ledgers (Protocol 23), in the JSON shapes Stellar-RPC returns:
 * `getLedgers` (header and close-meta XDR), `getTransactions` (pages of at most 200) and `getEvents`.
 *
 * Every XDR field is real XDR built with `@stellar/stellar-sdk`: transaction envelopes (classic payments, batch
 * payouts, path payments, DEX offers, account admin, and Soroban `InvokeHostFunction` calls with auth entries and
 * footprints: SEP-41 `transfer`/`approve`/`mint`/`burn`, router swaps with a `Vec<Address>` path, aggregator swaps
 * with a `Map<Symbol,U64>`, oracle updates, lending calls, other contracts), fee-bump envelopes, results (including
 * failed transactions), `TransactionMeta` v4 with ledger-entry changes, per-operation contract events and fee events,
 * and a `LedgerCloseMeta` v2 holding the transaction set and its processing. Classic operations emit SEP-41 events
 * from the asset's Stellar Asset Contract, as Protocol 23 does. Transaction hashes are stellar-core's (sha256 of the
 * signature payload) and the ledger hash is the sha256 of its header.
 *
 * The same `(seed, sequence, transactions, population)` always gives byte-identical output.
 */
import { type Asset, Networks, StrKey, xdr } from "@stellar/stellar-sdk";
import type { StellarRpcEvent, StellarRpcLedger, StellarRpcTransaction } from "../../../src/engine/stellar-ledger.js";
import { randomBelow, unitsFromExp, usdExp } from "../amounts.js";
import { createRng, mixSeed, type Rng } from "../prng.js";
import {
  DEFAULT_STELLAR_POPULATION_SEED,
  type StellarContract,
  type StellarPair,
  type StellarPopulation,
  type StellarToken,
  stellarPopulation,
} from "./population.js";
import {
  accountEntry,
  accountId,
  balanceEntry,
  balanceKey,
  classicAsset,
  codeKey,
  contractEvent,
  dataEntry,
  dataKey,
  feeBumpHash,
  instanceKey,
  int64,
  modified,
  muxedAccount,
  networkId,
  sc,
  scAddress,
  sha256,
  transactionHash,
  trustlineEntry,
  uint64,
} from "./xdr-build.js";

export interface GenerateStellarLedgerOptions {
  /** Seed of this ledger's content. */
  seed: number;
  sequence: number;
  /** Number of transactions (default 300). */
  transactions?: number;
  /** Default `stellarPopulation(DEFAULT_STELLAR_POPULATION_SEED)`; monitors must use the same one. */
  population?: StellarPopulation;
  /** Default `Networks.PUBLIC`. */
  passphrase?: string;
}

export interface StellarLedgerStats {
  transactions: number;
  operations: number;
  /** `InvokeHostFunction(InvokeContract)` operations. */
  invocations: number;
  events: number;
  failed: number;
  feeBumps: number;
}

export interface GeneratedStellarLedger {
  /** The `getLedgers` entry. */
  ledger: StellarRpcLedger;
  /** The `getTransactions` entries, in application order. */
  transactions: StellarRpcTransaction[];
  /** The `getEvents` entries (contract events of successful transactions), in id order. */
  events: StellarRpcEvent[];
  /**
   * The JSON-RPC response bodies as one batch response text: `getLedgers` (id 1), the `getTransactions` pages (ids 2…)
   * and `getEvents` (last id).
   */
  rpcPayloadText: string;
  stats: StellarLedgerStats;
}

export const DEFAULT_TRANSACTIONS_PER_LEDGER = 300;
/** Transactions per `getTransactions` page (Stellar-RPC's cap). */
export const TRANSACTIONS_PAGE_SIZE = 200;
/** Seconds between ledgers on mainnet (roughly). */
const LEDGER_SECONDS = 5;
const GENESIS_CLOSE_TIME = 1_438_387_200;
/** Ledgers Stellar-RPC keeps (7 days). */
const RETENTION = 120_960;

interface OpDraft {
  source: string | null;
  body: xdr.OperationBody;
  success: xdr.OperationResult;
  failure: xdr.OperationResult;
  changes: xdr.LedgerEntryChange[];
  events: xdr.ContractEvent[];
  invoke: boolean;
}

interface SorobanDraft {
  readOnly: xdr.LedgerKey[];
  readWrite: xdr.LedgerKey[];
  returnValue: xdr.ScVal;
}

interface TxDraft {
  source: string;
  ops: OpDraft[];
  soroban: SorobanDraft | null;
  failChance: number;
}

interface Ctx {
  rng: Rng;
  pop: StellarPopulation;
  sequence: number;
  closeTime: number;
  xlm: StellarToken;
}

type Template = (ctx: Ctx) => TxDraft;

// ---------------------------------------------------------------------------------------------------------------
// Values

/** An amount of `token` in stroops (7 decimals), optionally for a given USD exponent. */
function amountOf(ctx: Ctx, token: StellarToken, exp: number = usdExp(ctx.rng)): bigint {
  return unitsFromExp(ctx.rng, exp - token.priceExp + 7, 16);
}

const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

function clampInt64(value: bigint): bigint {
  return value > INT64_MAX ? INT64_MAX : value;
}

/** An amount for a classic operation (`Int64` stroops). */
function classicAmount(ctx: Ctx, token: StellarToken, exp?: number): bigint {
  return clampInt64(amountOf(ctx, token, exp));
}

function balanceAround(ctx: Ctx, token: StellarToken): bigint {
  return clampInt64(amountOf(ctx, token, 2 + ctx.rng.next() * 5));
}

function lastModified(ctx: Ctx): number {
  return Math.max(1, ctx.sequence - ctx.rng.int(1, 3_000_000));
}

// ---------------------------------------------------------------------------------------------------------------
// Population picks

function account(ctx: Ctx): string {
  return ctx.pop.accounts[ctx.pop.zipf.accounts.sample(ctx.rng)] as string;
}

function otherAccount(ctx: Ctx, not: string): string {
  for (let i = 0; i < 5; i++) {
    const candidate = account(ctx);
    if (candidate !== not) return candidate;
  }
  return ctx.pop.accounts[ctx.rng.int(0, ctx.pop.accounts.length - 1)] as string;
}

function maker(ctx: Ctx): string {
  return ctx.pop.makers[ctx.pop.zipf.makers.sample(ctx.rng)] as string;
}

function token(ctx: Ctx): StellarToken {
  return ctx.pop.tokens[ctx.pop.zipf.tokens.sample(ctx.rng)] as StellarToken;
}

/** A classic asset's SAC, with the tokens' skew. */
function sac(ctx: Ctx): StellarToken {
  for (let i = 0; i < 8; i++) {
    const candidate = token(ctx);
    if (candidate.kind === "sac") return candidate;
  }
  return ctx.xlm;
}

function pair(ctx: Ctx): StellarPair {
  return ctx.pop.pairs[ctx.pop.zipf.pairs.sample(ctx.rng)] as StellarPair;
}

function tokenAt(ctx: Ctx, index: number): StellarToken {
  return ctx.pop.tokens[index] ?? ctx.xlm;
}

// ---------------------------------------------------------------------------------------------------------------
// Events and entry changes

/** SEP-41 event topics: SACs add the asset name as a last topic. */
function tokenTopics(token: StellarToken, name: string, addresses: string[]): xdr.ScVal[] {
  const topics = [sc.symbol(name), ...addresses.map(sc.address)];
  if (token.assetName !== null) topics.push(sc.string(token.assetName));
  return topics;
}

function transferEvent(token: StellarToken, from: string, to: string, amount: bigint): xdr.ContractEvent {
  return contractEvent(token.contractId, tokenTopics(token, "transfer", [from, to]), sc.i128(amount));
}

/** Meta changes of a classic payment between accounts: native balances or trustlines. */
function classicTransferChanges(ctx: Ctx, asset: Asset, from: string, to: string, amount: bigint) {
  const changes: xdr.LedgerEntryChange[] = [];
  for (const [holder, delta] of [
    [from, -amount],
    [to, amount],
  ] as const) {
    const before = clampInt64(amount * 3n + randomBelow(ctx.rng, amount * 50n + 1_000_000_000n, 16));
    const after = before + delta < 0n ? 0n : clampInt64(before + delta);
    const modifiedAt = lastModified(ctx);
    if (asset.isNative()) {
      const seq = accountSeq(ctx, holder);
      const subEntries = ctx.rng.int(0, 12);
      changes.push(
        ...modified(
          accountEntry(holder, before, seq, modifiedAt, subEntries),
          accountEntry(holder, after, seq, ctx.sequence, subEntries),
        ),
      );
    } else {
      changes.push(
        ...modified(
          trustlineEntry(holder, asset, before, modifiedAt),
          trustlineEntry(holder, asset, after, ctx.sequence),
        ),
      );
    }
  }
  return changes;
}

/** Meta changes of a SEP-41 transfer: the two balance entries. */
function tokenTransferChanges(ctx: Ctx, token: StellarToken, from: string, to: string, amount: bigint) {
  const changes: xdr.LedgerEntryChange[] = [];
  for (const [holder, delta] of [
    [from, -amount],
    [to, amount],
  ] as const) {
    const before = amount * 2n + balanceAround(ctx, token);
    changes.push(
      ...modified(
        balanceEntry(token.contractId, holder, before, lastModified(ctx)),
        balanceEntry(token.contractId, holder, before + delta, ctx.sequence),
      ),
    );
  }
  return changes;
}

function accountSeq(ctx: Ctx, holder: string): bigint {
  return (
    (BigInt(mixSeed(holder.charCodeAt(5), holder.charCodeAt(9), holder.length) % 40_000_000) << 32n) +
    BigInt(ctx.rng.int(1, 50_000))
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Operations

const opSuccess = (tr: xdr.OperationResultTr): xdr.OperationResult => xdr.OperationResult.opInner(tr);

function paymentOp(ctx: Ctx, source: string | null, from: string, to: string, token: StellarToken, amount: bigint) {
  const asset = classicAsset(token.asset);
  return {
    source,
    body: xdr.OperationBody.payment(
      new xdr.PaymentOp({ destination: muxedAccount(to), asset: asset.toXDRObject(), amount: int64(amount) }),
    ),
    success: opSuccess(xdr.OperationResultTr.payment(xdr.PaymentResult.paymentSuccess())),
    failure: opSuccess(xdr.OperationResultTr.payment(xdr.PaymentResult.paymentUnderfunded())),
    changes: classicTransferChanges(ctx, asset, from, to, amount),
    events: [transferEvent(token, from, to, amount)],
    invoke: false,
  } satisfies OpDraft;
}

interface Call {
  contract: StellarContract;
  fn: string;
  args: xdr.ScVal[];
}

function invokeArgs(call: Call): xdr.InvokeContractArgs {
  return new xdr.InvokeContractArgs({
    contractAddress: scAddress(call.contract.contractId),
    functionName: call.fn,
    args: call.args,
  });
}

/** An `InvokeHostFunction(InvokeContract)` op with a source-account auth entry covering `subCalls`. */
function invokeOp(
  call: Call,
  subCalls: Call[],
  changes: xdr.LedgerEntryChange[],
  events: xdr.ContractEvent[],
): OpDraft {
  const invocation = (c: Call, subs: xdr.SorobanAuthorizedInvocation[]) =>
    new xdr.SorobanAuthorizedInvocation({
      function: xdr.SorobanAuthorizedFunction.sorobanAuthorizedFunctionTypeContractFn(invokeArgs(c)),
      subInvocations: subs,
    });
  const auth = new xdr.SorobanAuthorizationEntry({
    credentials: xdr.SorobanCredentials.sorobanCredentialsSourceAccount(),
    rootInvocation: invocation(
      call,
      subCalls.map((c) => invocation(c, [])),
    ),
  });
  return {
    source: null,
    body: xdr.OperationBody.invokeHostFunction(
      new xdr.InvokeHostFunctionOp({
        hostFunction: xdr.HostFunction.hostFunctionTypeInvokeContract(invokeArgs(call)),
        auth: [auth],
      }),
    ),
    success: opSuccess(
      xdr.OperationResultTr.invokeHostFunction(
        xdr.InvokeHostFunctionResult.invokeHostFunctionSuccess(
          sha256(`${call.contract.contractId}:${call.fn}:${events.length}`),
        ),
      ),
    ),
    failure: opSuccess(
      xdr.OperationResultTr.invokeHostFunction(xdr.InvokeHostFunctionResult.invokeHostFunctionTrapped()),
    ),
    changes,
    events,
    invoke: true,
  };
}

/** Footprint keys of calling `contract`: its instance, and its code unless it is a SAC. */
function contractKeys(contract: StellarContract): xdr.LedgerKey[] {
  return contract.kind === "sac"
    ? [instanceKey(contract.contractId)]
    : [instanceKey(contract.contractId), codeKey(contract.contractId)];
}

// ---------------------------------------------------------------------------------------------------------------
// Templates: classic

const payment: Template = (ctx) => {
  const t = sac(ctx);
  const from = account(ctx);
  const to = otherAccount(ctx, from);
  return {
    source: from,
    ops: [paymentOp(ctx, null, from, to, t, classicAmount(ctx, t))],
    soroban: null,
    failChance: 0.02,
  };
};

const batchPayment: Template = (ctx) => {
  const t = sac(ctx);
  const from = maker(ctx);
  const count = ctx.rng.int(2, 6);
  const ops = Array.from({ length: count }, () =>
    paymentOp(ctx, null, from, otherAccount(ctx, from), t, classicAmount(ctx, t, ctx.rng.next() * 3)),
  );
  return { source: from, ops, soroban: null, failChance: 0.01 };
};

const pathPayment: Template = (ctx) => {
  const bot = maker(ctx);
  const send = sac(ctx);
  let receive = sac(ctx);
  if (receive === send) receive = send === ctx.xlm ? tokenAt(ctx, 1) : ctx.xlm;
  const destination = ctx.rng.chance(0.7) ? bot : account(ctx);
  const sendAmount = classicAmount(ctx, send, 1 + ctx.rng.next() * 3);
  const receiveAmount = clampInt64((sendAmount * BigInt(ctx.rng.int(990, 1010))) / 1000n);
  const counterparty = maker(ctx);
  const sendAsset = classicAsset(send.asset);
  const receiveAsset = classicAsset(receive.asset);
  const op: OpDraft = {
    source: null,
    body: xdr.OperationBody.pathPaymentStrictSend(
      new xdr.PathPaymentStrictSendOp({
        sendAsset: sendAsset.toXDRObject(),
        sendAmount: int64(sendAmount),
        destination: muxedAccount(destination),
        destAsset: receiveAsset.toXDRObject(),
        destMin: int64(receiveAmount),
        path: ctx.rng.chance(0.4) ? [classicAsset(tokenAt(ctx, 1).asset).toXDRObject()] : [],
      }),
    ),
    success: opSuccess(
      xdr.OperationResultTr.pathPaymentStrictSend(
        xdr.PathPaymentStrictSendResult.pathPaymentStrictSendSuccess(
          new xdr.PathPaymentStrictSendResultSuccess({
            offers: [],
            last: new xdr.SimplePaymentResult({
              destination: accountId(destination),
              asset: receiveAsset.toXDRObject(),
              amount: int64(receiveAmount),
            }),
          }),
        ),
      ),
    ),
    failure: opSuccess(
      xdr.OperationResultTr.pathPaymentStrictSend(xdr.PathPaymentStrictSendResult.pathPaymentStrictSendUnderDestmin()),
    ),
    changes: [
      ...classicTransferChanges(ctx, sendAsset, bot, counterparty, sendAmount),
      ...classicTransferChanges(ctx, receiveAsset, counterparty, destination, receiveAmount),
    ],
    events: [
      transferEvent(send, bot, counterparty, sendAmount),
      transferEvent(receive, counterparty, destination, receiveAmount),
    ],
    invoke: false,
  };
  return { source: bot, ops: [op], soroban: null, failChance: 0.35 };
};

const offer: Template = (ctx) => {
  const seller = maker(ctx);
  const selling = sac(ctx);
  let buying = sac(ctx);
  if (buying === selling) buying = selling === ctx.xlm ? tokenAt(ctx, 1) : ctx.xlm;
  const amount = classicAmount(ctx, selling, 1 + ctx.rng.next() * 3);
  const price = new xdr.Price({ n: ctx.rng.int(1, 1_000_000), d: ctx.rng.int(1, 1_000_000) });
  const offerId = ctx.rng.chance(0.6) ? BigInt(ctx.rng.int(1, 2_000_000_000)) : 0n;
  const sellingAsset = classicAsset(selling.asset);
  const buyingAsset = classicAsset(buying.asset);
  const entry = new xdr.OfferEntry({
    sellerId: accountId(seller),
    offerId: int64(offerId === 0n ? BigInt(ctx.rng.int(1, 2_000_000_000)) : offerId),
    selling: sellingAsset.toXDRObject(),
    buying: buyingAsset.toXDRObject(),
    amount: int64(amount),
    price,
    flags: 0,
    ext: new xdr.OfferEntryExt(0),
  });
  const crossing = ctx.rng.chance(0.25);
  const counterparty = maker(ctx);
  const events = crossing
    ? [
        transferEvent(selling, seller, counterparty, amount / 3n + 1n),
        transferEvent(buying, counterparty, seller, amount / 3n + 1n),
      ]
    : [];
  const seq = accountSeq(ctx, seller);
  const subEntries = ctx.rng.int(3, 40);
  const balance = balanceAround(ctx, ctx.xlm);
  const changes = [
    ...modified(
      accountEntry(seller, balance, seq, lastModified(ctx), subEntries),
      accountEntry(seller, balance, seq, ctx.sequence, offerId === 0n ? subEntries + 1 : subEntries),
    ),
    offerId === 0n
      ? xdr.LedgerEntryChange.ledgerEntryCreated(
          new xdr.LedgerEntry({
            lastModifiedLedgerSeq: ctx.sequence,
            data: xdr.LedgerEntryData.offer(entry),
            ext: new xdr.LedgerEntryExt(0),
          }),
        )
      : xdr.LedgerEntryChange.ledgerEntryUpdated(
          new xdr.LedgerEntry({
            lastModifiedLedgerSeq: ctx.sequence,
            data: xdr.LedgerEntryData.offer(entry),
            ext: new xdr.LedgerEntryExt(0),
          }),
        ),
  ];
  const success = new xdr.ManageOfferSuccessResult({
    offersClaimed: [],
    offer: xdr.ManageOfferSuccessResultOffer.manageOfferCreated(entry),
  });
  const buy = ctx.rng.chance(0.4);
  const op: OpDraft = buy
    ? {
        source: null,
        body: xdr.OperationBody.manageBuyOffer(
          new xdr.ManageBuyOfferOp({
            selling: sellingAsset.toXDRObject(),
            buying: buyingAsset.toXDRObject(),
            buyAmount: int64(amount),
            price,
            offerId: int64(offerId),
          }),
        ),
        success: opSuccess(
          xdr.OperationResultTr.manageBuyOffer(xdr.ManageBuyOfferResult.manageBuyOfferSuccess(success)),
        ),
        failure: opSuccess(xdr.OperationResultTr.manageBuyOffer(xdr.ManageBuyOfferResult.manageBuyOfferUnderfunded())),
        changes,
        events,
        invoke: false,
      }
    : {
        source: null,
        body: xdr.OperationBody.manageSellOffer(
          new xdr.ManageSellOfferOp({
            selling: sellingAsset.toXDRObject(),
            buying: buyingAsset.toXDRObject(),
            amount: int64(amount),
            price,
            offerId: int64(offerId),
          }),
        ),
        success: opSuccess(
          xdr.OperationResultTr.manageSellOffer(xdr.ManageSellOfferResult.manageSellOfferSuccess(success)),
        ),
        failure: opSuccess(
          xdr.OperationResultTr.manageSellOffer(xdr.ManageSellOfferResult.manageSellOfferUnderfunded()),
        ),
        changes,
        events,
        invoke: false,
      };
  return { source: seller, ops: [op], soroban: null, failChance: 0.05 };
};

const accountAdmin: Template = (ctx) => {
  const source = account(ctx);
  const r = ctx.rng.next();
  const seq = accountSeq(ctx, source);
  const balance = balanceAround(ctx, ctx.xlm);
  const sourceChanges = modified(
    accountEntry(source, balance, seq, lastModified(ctx), 2),
    accountEntry(source, balance, seq, ctx.sequence, 3),
  );
  let op: OpDraft;
  if (r < 0.35) {
    const fresh = otherAccount(ctx, source);
    const starting = 10_000_000n * BigInt(ctx.rng.int(1, 100));
    op = {
      source: null,
      body: xdr.OperationBody.createAccount(
        new xdr.CreateAccountOp({ destination: accountId(fresh), startingBalance: int64(starting) }),
      ),
      success: opSuccess(xdr.OperationResultTr.createAccount(xdr.CreateAccountResult.createAccountSuccess())),
      failure: opSuccess(xdr.OperationResultTr.createAccount(xdr.CreateAccountResult.createAccountAlreadyExist())),
      changes: [
        ...sourceChanges,
        xdr.LedgerEntryChange.ledgerEntryCreated(
          accountEntry(fresh, starting, BigInt(ctx.sequence) << 32n, ctx.sequence, 0),
        ),
      ],
      events: [transferEvent(ctx.xlm, source, fresh, starting)],
      invoke: false,
    };
  } else if (r < 0.75) {
    const asset = classicAsset(sac(ctx).asset ?? tokenAt(ctx, 1).asset);
    op = {
      source: null,
      body: xdr.OperationBody.changeTrust(
        new xdr.ChangeTrustOp({ line: asset.toChangeTrustXDRObject(), limit: int64(INT64_MAX) }),
      ),
      success: opSuccess(xdr.OperationResultTr.changeTrust(xdr.ChangeTrustResult.changeTrustSuccess())),
      failure: opSuccess(xdr.OperationResultTr.changeTrust(xdr.ChangeTrustResult.changeTrustLowReserve())),
      changes: [
        ...sourceChanges,
        xdr.LedgerEntryChange.ledgerEntryCreated(trustlineEntry(source, asset, 0n, ctx.sequence)),
      ],
      events: [],
      invoke: false,
    };
  } else {
    op = {
      source: null,
      body: xdr.OperationBody.manageData(
        new xdr.ManageDataOp({
          dataName: `config.${ctx.rng.int(0, 20)}`,
          dataValue: Buffer.from(ctx.rng.hex(16), "hex"),
        }),
      ),
      success: opSuccess(xdr.OperationResultTr.manageData(xdr.ManageDataResult.manageDataSuccess())),
      failure: opSuccess(xdr.OperationResultTr.manageData(xdr.ManageDataResult.manageDataLowReserve())),
      changes: sourceChanges,
      events: [],
      invoke: false,
    };
  }
  return { source, ops: [op], soroban: null, failChance: 0.03 };
};

// ---------------------------------------------------------------------------------------------------------------
// Templates: Soroban

function sorobanDraft(
  source: string,
  op: OpDraft,
  readOnly: xdr.LedgerKey[],
  readWrite: xdr.LedgerKey[],
  returnValue: xdr.ScVal,
  failChance: number,
): TxDraft {
  return { source, ops: [op], soroban: { readOnly, readWrite, returnValue }, failChance };
}

const tokenTransfer: Template = (ctx) => {
  const t = token(ctx);
  const from = account(ctx);
  const to = ctx.rng.chance(0.1)
    ? (ctx.pop.others[ctx.pop.zipf.others.sample(ctx.rng)] as StellarContract).contractId
    : otherAccount(ctx, from);
  const amount = amountOf(ctx, t);
  const call: Call = { contract: t, fn: "transfer", args: [sc.address(from), sc.address(to), sc.i128(amount)] };
  const op = invokeOp(call, [], tokenTransferChanges(ctx, t, from, to, amount), [transferEvent(t, from, to, amount)]);
  return sorobanDraft(
    from,
    op,
    contractKeys(t),
    [balanceKey(t.contractId, from), balanceKey(t.contractId, to)],
    sc.void(),
    0.03,
  );
};

const tokenApprove: Template = (ctx) => {
  const t = token(ctx);
  const from = account(ctx);
  const spender = ctx.rng.chance(0.6) ? ctx.pop.router.contractId : ctx.pop.aggregator.contractId;
  const amount = ctx.rng.chance(0.2) ? INT64_MAX * 1000n : amountOf(ctx, t);
  const expiration = ctx.sequence + ctx.rng.int(10_000, 500_000);
  const call: Call = {
    contract: t,
    fn: "approve",
    args: [sc.address(from), sc.address(spender), sc.i128(amount), sc.u32(expiration)],
  };
  const allowanceKey = sc.vec([
    sc.symbol("Allowance"),
    sc.map({ from: sc.address(from), spender: sc.address(spender) }),
  ]);
  const changes = [
    xdr.LedgerEntryChange.ledgerEntryCreated(
      dataEntry(
        t.contractId,
        allowanceKey,
        sc.map({ amount: sc.i128(amount), expiration_ledger: sc.u32(expiration) }),
        ctx.sequence,
        "temporary",
      ),
    ),
  ];
  const event = contractEvent(
    t.contractId,
    tokenTopics(t, "approve", [from, spender]),
    sc.vec([sc.i128(amount), sc.u32(expiration)]),
  );
  const op = invokeOp(call, [], changes, [event]);
  return sorobanDraft(from, op, contractKeys(t), [dataKey(t.contractId, allowanceKey)], sc.void(), 0.02);
};

const tokenMintBurn: Template = (ctx) => {
  const t = token(ctx);
  const holder = account(ctx);
  const amount = amountOf(ctx, t, 2 + ctx.rng.next() * 4);
  const mint = ctx.rng.chance(0.6);
  const admin = ctx.pop.sponsors[ctx.rng.int(0, ctx.pop.sponsors.length - 1)] as string;
  const source = mint ? admin : holder;
  const call: Call = mint
    ? { contract: t, fn: "mint", args: [sc.address(holder), sc.i128(amount)] }
    : { contract: t, fn: "burn", args: [sc.address(holder), sc.i128(amount)] };
  const before = balanceAround(ctx, t) + amount;
  const after = mint ? before + amount : before - amount;
  const changes = modified(
    balanceEntry(t.contractId, holder, before, lastModified(ctx)),
    balanceEntry(t.contractId, holder, after, ctx.sequence),
  );
  const event = contractEvent(t.contractId, tokenTopics(t, mint ? "mint" : "burn", [holder]), sc.i128(amount));
  const op = invokeOp(call, [], changes, [event]);
  return sorobanDraft(source, op, contractKeys(t), [balanceKey(t.contractId, holder)], sc.void(), 0.02);
};

interface Hop {
  pair: StellarPair;
  tokenIn: StellarToken;
  tokenOut: StellarToken;
  amountIn: bigint;
  amountOut: bigint;
  /** `true` when the pair's token 0 is the input. */
  zeroIn: boolean;
}

/** One or two hops through pairs, starting from `first`. */
function route(ctx: Ctx, first: StellarPair, amountUsd: number): Hop[] {
  const hops: Hop[] = [];
  const zeroIn = ctx.rng.chance(0.5);
  let tokenIn = tokenAt(ctx, zeroIn ? first.token0 : first.token1);
  let amountIn = amountOf(ctx, tokenIn, amountUsd);
  let current = first;
  let currentZeroIn = zeroIn;
  for (let i = 0; i < 2; i++) {
    const tokenOut = tokenAt(ctx, currentZeroIn ? current.token1 : current.token0);
    const amountOut = (amountOf(ctx, tokenOut, amountUsd) * BigInt(ctx.rng.int(985, 999))) / 1000n;
    hops.push({ pair: current, tokenIn, tokenOut, amountIn, amountOut, zeroIn: currentZeroIn });
    if (i === 1 || !ctx.rng.chance(0.15)) break;
    const outIndex = currentZeroIn ? current.token1 : current.token0;
    const next = ctx.pop.pairs.find((p) => p !== current && (p.token0 === outIndex || p.token1 === outIndex));
    if (!next) break;
    tokenIn = tokenOut;
    amountIn = amountOut;
    currentZeroIn = next.token0 === outIndex;
    current = next;
  }
  return hops;
}

/** A reserve of `pair` in stroops of its token `index`: the pair's depth, jittered by ±5%. */
function reserveOf(ctx: Ctx, pair: StellarPair, index: number): bigint {
  return unitsFromExp(
    ctx.rng,
    pair.reserveUsdExp + (ctx.rng.next() - 0.5) * 0.04 - tokenAt(ctx, index).priceExp + 7,
    16,
  );
}

/** Events and changes of swapping through `hops` for `user`: per hop a transfer in, `Swap`, `Sync`, a transfer out. */
function swapEffects(ctx: Ctx, user: string, hops: Hop[]) {
  const events: xdr.ContractEvent[] = [];
  const changes: xdr.LedgerEntryChange[] = [];
  const keys: xdr.LedgerKey[] = [];
  hops.forEach((hop, i) => {
    const from = i === 0 ? user : (hops[i - 1] as Hop).pair.contractId;
    const to = i === hops.length - 1 ? user : (hops[i + 1] as Hop).pair.contractId;
    const p = hop.pair.contractId;
    events.push(transferEvent(hop.tokenIn, from, p, hop.amountIn));
    events.push(
      contractEvent(
        p,
        [sc.symbol("pair"), sc.symbol("swap"), sc.address(to)],
        sc.map({
          amount_0_in: sc.i128(hop.zeroIn ? hop.amountIn : 0n),
          amount_1_in: sc.i128(hop.zeroIn ? 0n : hop.amountIn),
          amount_0_out: sc.i128(hop.zeroIn ? 0n : hop.amountOut),
          amount_1_out: sc.i128(hop.zeroIn ? hop.amountOut : 0n),
        }),
      ),
    );
    const reserve0 = reserveOf(ctx, hop.pair, hop.pair.token0);
    const reserve1 = reserveOf(ctx, hop.pair, hop.pair.token1);
    events.push(
      contractEvent(p, [sc.symbol("pair"), sc.symbol("sync")], sc.vec([sc.i128(reserve0), sc.i128(reserve1)])),
    );
    events.push(transferEvent(hop.tokenOut, p, to, hop.amountOut));
    const reservesKey = sc.symbol("Reserves");
    changes.push(
      ...modified(
        dataEntry(p, reservesKey, sc.vec([sc.i128(reserve0 + 1000n), sc.i128(reserve1 - 1000n)]), lastModified(ctx)),
        dataEntry(p, reservesKey, sc.vec([sc.i128(reserve0), sc.i128(reserve1)]), ctx.sequence),
      ),
      ...tokenTransferChanges(ctx, hop.tokenIn, from, p, hop.amountIn),
      ...tokenTransferChanges(ctx, hop.tokenOut, p, to, hop.amountOut),
    );
    keys.push(
      dataKey(p, reservesKey),
      balanceKey(hop.tokenIn.contractId, from),
      balanceKey(hop.tokenIn.contractId, p),
      balanceKey(hop.tokenOut.contractId, p),
      balanceKey(hop.tokenOut.contractId, to),
    );
  });
  return { events, changes, keys };
}

const routerSwap: Template = (ctx) => {
  const user = account(ctx);
  const hops = route(ctx, pair(ctx), usdExp(ctx.rng));
  const first = hops[0] as Hop;
  const last = hops[hops.length - 1] as Hop;
  const path = [first.tokenIn, ...hops.map((hop) => hop.tokenOut)];
  const amounts = [first.amountIn, ...hops.map((hop) => hop.amountOut)];
  const exactIn = ctx.rng.chance(0.8);
  const call: Call = {
    contract: ctx.pop.router,
    fn: exactIn ? "swap_exact_tokens_for_tokens" : "swap_tokens_for_exact_tokens",
    args: [
      sc.i128(exactIn ? first.amountIn : last.amountOut),
      sc.i128(exactIn ? (last.amountOut * 995n) / 1000n : (first.amountIn * 1005n) / 1000n),
      sc.vec(path.map((t) => sc.address(t.contractId))),
      sc.address(user),
      sc.u64(ctx.closeTime + ctx.rng.int(60, 1800)),
    ],
  };
  const effects = swapEffects(ctx, user, hops);
  effects.events.push(
    contractEvent(
      ctx.pop.router.contractId,
      [sc.symbol("SoroswapRouter"), sc.symbol("swap")],
      sc.map({
        amounts: sc.vec(amounts.map(sc.i128)),
        path: sc.vec(path.map((t) => sc.address(t.contractId))),
        to: sc.address(user),
      }),
    ),
  );
  const op = invokeOp(
    call,
    [
      {
        contract: first.tokenIn,
        fn: "transfer",
        args: [sc.address(user), sc.address(first.pair.contractId), sc.i128(first.amountIn)],
      },
    ],
    effects.changes,
    effects.events,
  );
  const readOnly = [
    ...contractKeys(ctx.pop.router),
    ...hops.flatMap((hop) => [...contractKeys(hop.pair), ...contractKeys(hop.tokenIn)]),
    ...contractKeys(last.tokenOut),
  ];
  return sorobanDraft(user, op, readOnly, effects.keys, sc.vec(amounts.map(sc.i128)), 0.12);
};

const aggregatorSwap: Template = (ctx) => {
  const user = account(ctx);
  const hops = route(ctx, pair(ctx), usdExp(ctx.rng) + 0.5);
  const first = hops[0] as Hop;
  const last = hops[hops.length - 1] as Hop;
  const u64 = (value: bigint) => sc.u64(value > UINT64_MAX ? UINT64_MAX : value);
  const call: Call = {
    contract: ctx.pop.aggregator,
    fn: "swap_routed",
    args: [
      sc.address(user),
      sc.vec(hops.map((hop) => sc.address(hop.pair.contractId))),
      sc.map({
        amount_in: u64(first.amountIn),
        min_out: u64((last.amountOut * 99n) / 100n),
        deadline: sc.u64(ctx.closeTime + 600),
        fee_bps: sc.u64(ctx.rng.pick([0, 5, 10, 30])),
      }),
    ],
  };
  const effects = swapEffects(ctx, user, hops);
  effects.events.push(
    contractEvent(
      ctx.pop.aggregator.contractId,
      [sc.symbol("aggregator"), sc.symbol("swap"), sc.address(user)],
      sc.vec([
        sc.address(first.tokenIn.contractId),
        sc.address(last.tokenOut.contractId),
        sc.i128(first.amountIn),
        sc.i128(last.amountOut),
      ]),
    ),
  );
  const op = invokeOp(
    call,
    [
      {
        contract: first.tokenIn,
        fn: "transfer",
        args: [sc.address(user), sc.address(first.pair.contractId), sc.i128(first.amountIn)],
      },
    ],
    effects.changes,
    effects.events,
  );
  const readOnly = [
    ...contractKeys(ctx.pop.aggregator),
    ...hops.flatMap((hop) => [...contractKeys(hop.pair), ...contractKeys(hop.tokenIn)]),
  ];
  return sorobanDraft(
    user,
    op,
    readOnly,
    effects.keys,
    sc.vec([sc.i128(first.amountIn), sc.i128(last.amountOut)]),
    0.1,
  );
};

const oracleUpdate: Template = (ctx) => {
  const oracle = ctx.pop.oracles[ctx.rng.int(0, ctx.pop.oracles.length - 1)] as StellarContract;
  const operator = ctx.pop.sponsors[ctx.rng.int(0, 2)] as string;
  const prices = Array.from({ length: ctx.rng.int(8, 20) }, () =>
    sc.i128(unitsFromExp(ctx.rng, 10 + ctx.rng.next() * 8, 16)),
  );
  const timestamp = BigInt(ctx.closeTime - (ctx.closeTime % 300)) * 1000n;
  const call: Call = { contract: oracle, fn: "set_price", args: [sc.vec(prices), sc.u64(timestamp)] };
  const key = sc.u64(timestamp);
  const changes = [
    xdr.LedgerEntryChange.ledgerEntryCreated(
      dataEntry(oracle.contractId, key, sc.vec(prices), ctx.sequence, "temporary"),
    ),
  ];
  const event = contractEvent(
    oracle.contractId,
    [sc.symbol("REFLECTOR"), sc.symbol("update")],
    sc.vec([sc.u64(timestamp), sc.u32(prices.length)]),
  );
  const op = invokeOp(call, [], changes, [event]);
  return sorobanDraft(operator, op, contractKeys(oracle), [dataKey(oracle.contractId, key)], sc.void(), 0.01);
};

const lendingSubmit: Template = (ctx) => {
  const pool = ctx.pop.lending[ctx.rng.int(0, ctx.pop.lending.length - 1)] as StellarContract;
  const user = account(ctx);
  const requests = Array.from({ length: ctx.rng.int(1, 2) }, () => {
    const t = ctx.rng.chance(0.5) ? ctx.xlm : tokenAt(ctx, 1);
    return { token: t, amount: amountOf(ctx, t, 1 + ctx.rng.next() * 4), type: ctx.rng.int(0, 5) };
  });
  const call: Call = {
    contract: pool,
    fn: "submit",
    args: [
      sc.address(user),
      sc.address(user),
      sc.address(user),
      sc.vec(
        requests.map((r) =>
          sc.map({ address: sc.address(r.token.contractId), amount: sc.i128(r.amount), request_type: sc.u32(r.type) }),
        ),
      ),
    ],
  };
  const events: xdr.ContractEvent[] = [];
  const changes: xdr.LedgerEntryChange[] = [];
  const keys: xdr.LedgerKey[] = [];
  const names = ["supply", "withdraw", "supply_collateral", "withdraw_collateral", "borrow", "repay"];
  for (const r of requests) {
    const inbound = r.type % 2 === 0;
    const [from, to] = inbound ? [user, pool.contractId] : [pool.contractId, user];
    events.push(transferEvent(r.token, from, to, r.amount));
    events.push(
      contractEvent(
        pool.contractId,
        [sc.symbol(names[r.type] ?? "supply"), sc.address(r.token.contractId), sc.address(user)],
        sc.vec([sc.i128(r.amount), sc.i128((r.amount * 97n) / 100n)]),
      ),
    );
    changes.push(...tokenTransferChanges(ctx, r.token, from, to, r.amount));
    keys.push(balanceKey(r.token.contractId, user), balanceKey(r.token.contractId, pool.contractId));
  }
  const op = invokeOp(
    call,
    requests
      .filter((r) => r.type % 2 === 0)
      .map((r) => ({
        contract: r.token,
        fn: "transfer",
        args: [sc.address(user), sc.address(pool.contractId), sc.i128(r.amount)],
      })),
    changes,
    events,
  );
  return sorobanDraft(
    user,
    op,
    contractKeys(pool),
    keys,
    sc.map({ collateral: sc.map({}), liabilities: sc.map({}), supply: sc.map({}) }),
    0.05,
  );
};

const OTHER_FUNCTIONS = ["play", "claim_reward", "mint_nft", "bridge_out", "vote", "stake", "harvest", "register"];

const otherContract: Template = (ctx) => {
  const contract = ctx.pop.others[ctx.pop.zipf.others.sample(ctx.rng)] as StellarContract;
  const user = account(ctx);
  const fn = OTHER_FUNCTIONS[
    (contract.contractId.charCodeAt(3) + ctx.rng.int(0, 1)) % OTHER_FUNCTIONS.length
  ] as string;
  const args = [sc.address(user), sc.u32(ctx.rng.int(0, 10_000))];
  if (ctx.rng.chance(0.5)) args.push(sc.string(`round-${ctx.rng.int(1, 99_999)}`));
  if (ctx.rng.chance(0.3)) args.push(sc.bytes(Buffer.from(ctx.rng.hex(32), "hex")));
  const events: xdr.ContractEvent[] = [];
  const count = ctx.rng.chance(0.3) ? 0 : ctx.rng.chance(0.7) ? 1 : 2;
  for (let i = 0; i < count; i++) {
    events.push(
      contractEvent(
        contract.contractId,
        [sc.symbol(fn), sc.address(user)],
        ctx.rng.chance(0.5)
          ? sc.u32(ctx.rng.int(0, 1_000_000))
          : sc.map({ id: sc.u64(ctx.rng.int(1, 1e9)), score: sc.u32(ctx.rng.int(0, 100)) }),
      ),
    );
  }
  const key = sc.vec([sc.symbol("State"), sc.address(user)]);
  const changes = modified(
    dataEntry(contract.contractId, key, sc.u32(ctx.rng.int(0, 100)), lastModified(ctx)),
    dataEntry(contract.contractId, key, sc.u32(ctx.rng.int(0, 100)), ctx.sequence),
  );
  const op = invokeOp({ contract, fn, args }, [], changes, events);
  return sorobanDraft(
    user,
    op,
    contractKeys(contract),
    [dataKey(contract.contractId, key)],
    sc.u32(ctx.rng.int(0, 100)),
    0.05,
  );
};

const TEMPLATES: ReadonlyArray<readonly [Template, number]> = [
  [payment, 0.2],
  [batchPayment, 0.02],
  [pathPayment, 0.09],
  [offer, 0.15],
  [accountAdmin, 0.05],
  [tokenTransfer, 0.16],
  [tokenApprove, 0.02],
  [tokenMintBurn, 0.02],
  [routerSwap, 0.07],
  [aggregatorSwap, 0.03],
  [oracleUpdate, 0.04],
  [lendingSubmit, 0.03],
  [otherContract, 0.12],
];

function pickTemplate(rng: Rng): Template {
  let r = rng.next();
  for (const [template, weight] of TEMPLATES) {
    r -= weight;
    if (r < 0) return template;
  }
  return payment;
}

// ---------------------------------------------------------------------------------------------------------------
// Assembly

interface BuiltTransaction {
  rpc: StellarRpcTransaction;
  events: StellarRpcEvent[];
  envelope: xdr.TransactionEnvelope;
  resultPair: xdr.TransactionResultPair;
  meta: xdr.TransactionMeta;
  feeChanges: xdr.LedgerEntryChange[];
  soroban: boolean;
  operations: number;
  invocations: number;
}

function toid(ledger: number, applicationOrder: number, op: number): bigint {
  return (BigInt(ledger) << 32n) | (BigInt(applicationOrder) << 12n) | BigInt(op);
}

function eventId(ledger: number, applicationOrder: number, op: number, index: number): string {
  return `${toid(ledger, applicationOrder, op).toString().padStart(19, "0")}-${String(index).padStart(10, "0")}`;
}

function signature(rng: Rng, account: string): xdr.DecoratedSignature {
  const raw = accountId(account).ed25519();
  return new xdr.DecoratedSignature({ hint: raw.subarray(28), signature: Buffer.from(rng.hex(64), "hex") });
}

function feeEvent(ctx: Ctx, payer: string, amount: bigint, stage: xdr.TransactionEventStage): xdr.TransactionEvent {
  return new xdr.TransactionEvent({
    stage,
    event: contractEvent(ctx.xlm.contractId, [sc.symbol("fee"), sc.address(payer)], sc.i128(amount)),
  });
}

function buildTransaction(
  ctx: Ctx,
  draft: TxDraft,
  applicationOrder: number,
  network: Buffer,
  closedAt: string,
): BuiltTransaction {
  const { rng } = ctx;
  const failed = rng.chance(draft.failChance);
  const failIndex = failed ? rng.int(0, draft.ops.length - 1) : -1;
  const sponsor = rng.chance(draft.soroban ? 0.15 : 0.03)
    ? (ctx.pop.sponsors[ctx.pop.zipf.sponsors.sample(rng)] as string)
    : null;
  const feePayer = sponsor ?? draft.source;

  const inclusionFee = BigInt(100 * draft.ops.length) * BigInt(rng.chance(0.7) ? 1 : rng.int(2, 500));
  const resourceFee = draft.soroban ? BigInt(rng.int(40_000, 3_000_000)) : 0n;
  const fee = inclusionFee + resourceFee;
  const charged = draft.soroban
    ? inclusionFee / 2n + (resourceFee * BigInt(rng.int(60, 95))) / 100n
    : BigInt(100 * draft.ops.length);
  const seq = accountSeq(ctx, draft.source) + 1n;

  let ext: xdr.TransactionExt = new xdr.TransactionExt(0);
  if (draft.soroban) {
    ext = new xdr.TransactionExt(
      1,
      new xdr.SorobanTransactionData({
        ext: new xdr.SorobanTransactionDataExt(0),
        resources: new xdr.SorobanResources({
          footprint: new xdr.LedgerFootprint({ readOnly: draft.soroban.readOnly, readWrite: draft.soroban.readWrite }),
          instructions: rng.int(1_000_000, 60_000_000),
          diskReadBytes: rng.int(0, 40_000),
          writeBytes: rng.int(200, 8_000),
        }),
        resourceFee: int64(resourceFee),
      }),
    );
  }
  const memoRoll = rng.next();
  const memo =
    memoRoll < 0.1
      ? xdr.Memo.memoId(uint64(rng.int(1, 2_000_000_000)))
      : memoRoll < 0.15
        ? xdr.Memo.memoText(`ref ${rng.hex(6)}`)
        : xdr.Memo.memoNone();
  const tx = new xdr.Transaction({
    sourceAccount: muxedAccount(draft.source),
    fee: Number(fee > 4_294_967_295n ? 4_294_967_295n : fee),
    seqNum: int64(seq),
    cond: rng.chance(0.7)
      ? xdr.Preconditions.precondTime(
          new xdr.TimeBounds({ minTime: uint64(0), maxTime: uint64(ctx.closeTime + rng.int(30, 600)) }),
        )
      : xdr.Preconditions.precondNone(),
    memo,
    operations: draft.ops.map(
      (op) => new xdr.Operation({ sourceAccount: op.source === null ? null : muxedAccount(op.source), body: op.body }),
    ),
    ext,
  });
  const v1 = new xdr.TransactionV1Envelope({ tx, signatures: [signature(rng, draft.source)] });
  const innerHash = transactionHash(network, tx);
  const opResults = draft.ops.map((op, i) => (i === failIndex ? op.failure : op.success));

  let envelope: xdr.TransactionEnvelope;
  let hash: Buffer;
  let result: xdr.TransactionResultResult;
  if (sponsor) {
    const feeBump = new xdr.FeeBumpTransaction({
      feeSource: muxedAccount(sponsor),
      fee: int64(fee * 2n + 200n),
      innerTx: xdr.FeeBumpTransactionInnerTx.envelopeTypeTx(v1),
      ext: new xdr.FeeBumpTransactionExt(0),
    });
    envelope = xdr.TransactionEnvelope.envelopeTypeTxFeeBump(
      new xdr.FeeBumpTransactionEnvelope({ tx: feeBump, signatures: [signature(rng, sponsor)] }),
    );
    hash = feeBumpHash(network, feeBump);
    const inner = new xdr.InnerTransactionResultPair({
      transactionHash: innerHash,
      result: new xdr.InnerTransactionResult({
        feeCharged: int64(0),
        result: failed
          ? xdr.InnerTransactionResultResult.txFailed(opResults)
          : xdr.InnerTransactionResultResult.txSuccess(opResults),
        ext: new xdr.InnerTransactionResultExt(0),
      }),
    });
    result = failed
      ? xdr.TransactionResultResult.txFeeBumpInnerFailed(inner)
      : xdr.TransactionResultResult.txFeeBumpInnerSuccess(inner);
  } else {
    envelope = xdr.TransactionEnvelope.envelopeTypeTx(v1);
    hash = innerHash;
    result = failed
      ? xdr.TransactionResultResult.txFailed(opResults)
      : xdr.TransactionResultResult.txSuccess(opResults);
  }
  const transactionResult = new xdr.TransactionResult({
    feeCharged: int64(charged),
    result,
    ext: new xdr.TransactionResultExt(0),
  });

  const balance = balanceAround(ctx, ctx.xlm) + fee * 10n;
  const subEntries = rng.int(0, 20);
  const txEvents = [feeEvent(ctx, feePayer, fee, xdr.TransactionEventStage.transactionEventStageBeforeAllTxes())];
  let sorobanMeta: xdr.SorobanTransactionMetaV2 | null = null;
  let txChangesAfter: xdr.LedgerEntryChange[] = [];
  if (draft.soroban) {
    const refund = fee - charged;
    txEvents.push(feeEvent(ctx, feePayer, -refund, xdr.TransactionEventStage.transactionEventStageAfterAllTxes()));
    txChangesAfter = modified(
      accountEntry(feePayer, balance - fee, seq, ctx.sequence, subEntries),
      accountEntry(feePayer, balance - charged, seq, ctx.sequence, subEntries),
    );
    sorobanMeta = new xdr.SorobanTransactionMetaV2({
      ext: new xdr.SorobanTransactionMetaExt(
        1,
        new xdr.SorobanTransactionMetaExtV1({
          ext: new xdr.ExtensionPoint(0),
          totalNonRefundableResourceFeeCharged: int64((resourceFee * 7n) / 10n),
          totalRefundableResourceFeeCharged: int64(
            charged - (resourceFee * 7n) / 10n > 0n ? charged - (resourceFee * 7n) / 10n : 0n,
          ),
          rentFeeCharged: int64(rng.chance(0.2) ? rng.int(100, 50_000) : 0),
        }),
      ),
      returnValue: failed ? null : draft.soroban.returnValue,
    });
  }
  const meta = new xdr.TransactionMeta(
    4,
    new xdr.TransactionMetaV4({
      ext: new xdr.ExtensionPoint(0),
      txChangesBefore: modified(
        accountEntry(draft.source, balance, seq - 1n, lastModified(ctx), subEntries),
        accountEntry(draft.source, balance, seq, ctx.sequence, subEntries),
      ),
      operations: failed
        ? []
        : draft.ops.map(
            (op) => new xdr.OperationMetaV2({ ext: new xdr.ExtensionPoint(0), changes: op.changes, events: op.events }),
          ),
      txChangesAfter,
      sorobanMeta,
      events: txEvents,
      diagnosticEvents: [],
    }),
  );
  const feeChanges = modified(
    accountEntry(feePayer, balance, seq - 1n, lastModified(ctx), subEntries),
    accountEntry(feePayer, balance - fee, seq - 1n, ctx.sequence, subEntries),
  );

  const txHash = hash.toString("hex");
  const events: StellarRpcEvent[] = [];
  if (!failed) {
    draft.ops.forEach((op, opIndex) => {
      op.events.forEach((event, index) => {
        const body = event.body().v0();
        const id = eventId(ctx.sequence, applicationOrder, opIndex, index + 1);
        events.push({
          type: "contract",
          ledger: ctx.sequence,
          ledgerClosedAt: closedAt,
          contractId: contractIdOf(event),
          id,
          pagingToken: id,
          inSuccessfulContractCall: true,
          txHash,
          topic: body.topics().map((topic) => topic.toXDR("base64")),
          value: body.data().toXDR("base64"),
        });
      });
    });
  }

  const rpc: StellarRpcTransaction = {
    status: failed ? "FAILED" : "SUCCESS",
    txHash,
    applicationOrder,
    feeBump: sponsor !== null,
    envelopeXdr: envelope.toXDR("base64"),
    resultXdr: transactionResult.toXDR("base64"),
    resultMetaXdr: meta.toXDR("base64"),
    events: {
      transactionEventsXdr: txEvents.map((event) => event.toXDR("base64")),
      contractEventsXdr: failed ? [] : draft.ops.map((op) => op.events.map((event) => event.toXDR("base64"))),
    },
    ledger: ctx.sequence,
    createdAt: ctx.closeTime,
  };
  return {
    rpc,
    events,
    envelope,
    resultPair: new xdr.TransactionResultPair({ transactionHash: hash, result: transactionResult }),
    meta,
    feeChanges,
    soroban: draft.soroban !== null,
    operations: draft.ops.length,
    invocations: draft.ops.filter((op) => op.invoke).length,
  };
}

function contractIdOf(event: xdr.ContractEvent): string {
  const raw = event.contractId();
  return raw === null ? "" : StrKey.encodeContract(raw as unknown as Buffer);
}

function ledgerHeader(ctx: Ctx, seed: number, txSetHash: Buffer, resultHash: Buffer): xdr.LedgerHeaderHistoryEntry {
  const rng = createRng(mixSeed(seed, ctx.sequence, 0x4844));
  const header = new xdr.LedgerHeader({
    ledgerVersion: 23,
    previousLedgerHash: sha256(`argus-bench-stellar:ledger:${seed}:${ctx.sequence - 1}`),
    scpValue: new xdr.StellarValue({
      txSetHash,
      closeTime: uint64(ctx.closeTime),
      upgrades: [],
      ext: xdr.StellarValueExt.stellarValueBasic(),
    }),
    txSetResultHash: resultHash,
    bucketListHash: Buffer.from(rng.hex(32), "hex"),
    ledgerSeq: ctx.sequence,
    totalCoins: int64(1_054_439_020_873_472_865n),
    feePool: int64(BigInt(rng.int(1e9, 2e9)) * 1000n),
    inflationSeq: 0,
    idPool: uint64(BigInt(rng.int(1e6, 2e6)) * 1000n),
    baseFee: 100,
    baseReserve: 5_000_000,
    maxTxSetSize: 1000,
    skipList: Array.from({ length: 4 }, () => Buffer.from(rng.hex(32), "hex")),
    ext: new xdr.LedgerHeaderExt(0),
  });
  return new xdr.LedgerHeaderHistoryEntry({
    hash: sha256(header.toXDR()),
    header,
    ext: new xdr.LedgerHeaderHistoryEntryExt(0),
  });
}

/** Generates one ledger. */
export function generateStellarLedger(options: GenerateStellarLedgerOptions): GeneratedStellarLedger {
  const pop = options.population ?? stellarPopulation(DEFAULT_STELLAR_POPULATION_SEED);
  const count = options.transactions ?? DEFAULT_TRANSACTIONS_PER_LEDGER;
  const network = networkId(options.passphrase ?? Networks.PUBLIC);
  const sequence = options.sequence;
  const closeTime = GENESIS_CLOSE_TIME + sequence * LEDGER_SECONDS;
  const closedAt = new Date(closeTime * 1000).toISOString().replace(".000Z", "Z");
  const ctx: Ctx = {
    rng: createRng(mixSeed(options.seed, sequence, 0x57e1)),
    pop,
    sequence,
    closeTime,
    xlm: pop.tokens[0] as StellarToken,
  };

  const built = Array.from({ length: count }, (_, i) =>
    buildTransaction(ctx, pickTemplate(ctx.rng)(ctx), i + 1, network, closedAt),
  );
  const previousLedgerHash = sha256(`argus-bench-stellar:ledger:${options.seed}:${sequence - 1}`);
  const component = (txes: xdr.TransactionEnvelope[]) =>
    xdr.TxSetComponent.txsetCompTxsMaybeDiscountedFee(
      new xdr.TxSetComponentTxsMaybeDiscountedFee({ baseFee: int64(100), txes }),
    );
  const txSet = new xdr.GeneralizedTransactionSet(
    1,
    new xdr.TransactionSetV1({
      previousLedgerHash,
      phases: [
        new xdr.TransactionPhase(0, [component(built.filter((b) => !b.soroban).map((b) => b.envelope))]),
        new xdr.TransactionPhase(0, [component(built.filter((b) => b.soroban).map((b) => b.envelope))]),
      ],
    }),
  );
  const resultSet = new xdr.TransactionResultSet({ results: built.map((b) => b.resultPair) });
  const headerEntry = ledgerHeader(ctx, options.seed, sha256(txSet.toXDR()), sha256(resultSet.toXDR()));
  const closeMeta = new xdr.LedgerCloseMeta(
    2,
    new xdr.LedgerCloseMetaV2({
      ext: new xdr.LedgerCloseMetaExt(0),
      ledgerHeader: headerEntry,
      txSet,
      txProcessing: built.map(
        (b) =>
          new xdr.TransactionResultMetaV1({
            ext: new xdr.ExtensionPoint(0),
            result: b.resultPair,
            feeProcessing: b.feeChanges,
            txApplyProcessing: b.meta,
            postTxApplyFeeProcessing: [],
          }),
      ),
      upgradesProcessing: [],
      scpInfo: [],
      totalByteSizeOfLiveSorobanState: uint64(9_876_543_210n),
      evictedKeys: [],
    }),
  );
  const ledger: StellarRpcLedger = {
    hash: headerEntry.hash().toString("hex"),
    sequence,
    ledgerCloseTime: String(closeTime),
    headerXdr: headerEntry.toXDR("base64"),
    metadataXdr: closeMeta.toXDR("base64"),
  };
  const transactions = built.map((b) => b.rpc);
  const events = built.flatMap((b) => b.events);

  const latest = sequence + 2;
  const oldest = sequence - RETENTION + 3;
  const window = {
    latestLedger: latest,
    latestLedgerCloseTime: String(closeTime + 2 * LEDGER_SECONDS),
    oldestLedger: oldest,
    oldestLedgerCloseTime: String(closeTime - (RETENTION - 3) * LEDGER_SECONDS),
  };
  const responses: unknown[] = [
    { jsonrpc: "2.0", id: 1, result: { ledgers: [ledger], ...window, cursor: String(sequence) } },
  ];
  for (let start = 0, id = 2; start < transactions.length || start === 0; start += TRANSACTIONS_PAGE_SIZE, id++) {
    const page = transactions.slice(start, start + TRANSACTIONS_PAGE_SIZE);
    const last = page[page.length - 1];
    responses.push({
      jsonrpc: "2.0",
      id,
      result: {
        transactions: page,
        latestLedger: latest,
        latestLedgerCloseTimestamp: closeTime + 2 * LEDGER_SECONDS,
        oldestLedger: oldest,
        oldestLedgerCloseTimestamp: closeTime - (RETENTION - 3) * LEDGER_SECONDS,
        cursor: last ? String(toid(sequence, last.applicationOrder, 0)) : "0",
      },
    });
    if (page.length === 0) break;
  }
  responses.push({
    jsonrpc: "2.0",
    id: responses.length + 1,
    result: { events, ...window, cursor: eventId(sequence + 1, 0, 0, 0) },
  });

  return {
    ledger,
    transactions,
    events,
    rpcPayloadText: JSON.stringify(responses),
    stats: {
      transactions: transactions.length,
      operations: built.reduce((sum, b) => sum + b.operations, 0),
      invocations: built.reduce((sum, b) => sum + b.invocations, 0),
      events: events.length,
      failed: transactions.filter((tx) => tx.status === "FAILED").length,
      feeBumps: transactions.filter((tx) => tx.feeBump).length,
    },
  };
}
