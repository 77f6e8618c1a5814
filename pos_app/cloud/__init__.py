"""The cloud mirror (`POS_MODE=cloud`) and the branch's side of the sync.

- `models`: what the cloud keeps: its branches (with their keys), every event each branch
  pushed, stored once by `(branch, seq)`, and the projections owners read (orders, payments).
- `signing`: the HMAC over time and body that a push carries, checked by the cloud.
- `ingest`: `POST /api/v1/sync/events` (cloud mode only): a signed batch in, each event once,
  the projections in the same transaction, the highest contiguous sequence out.
- `push`: the branch's worker that sends its outbox to the cloud in order, marking events sent
  only on the cloud's answer, and backing off while the cloud is away.
- `health`: the branch's push state (pending events, last good push, last error) and the
  cloud's view of each branch (last contact, lag).
"""
