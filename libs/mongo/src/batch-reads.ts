/**
 * The driver's `find` returns 101 documents in its first reply and fetches the rest with
 * `getMore`, one more round trip each (on FerretDB under load, ~100 ms apiece). A consumer
 * batch's `$in` read wants every document at once: with this batch size they come in one reply
 * (the server still caps a reply at 16 MiB and continues with getMore beyond it).
 */
export const ONE_REPLY = { batchSize: 10_000 } as const;
