/**
 * The simulator's own record of every WeChat request (method, path, query, headers, body). It
 * keeps secrets as sent — it is the ground truth tests compare against — and is only ever served
 * under `/__sim/requests`, never printed.
 */
import type { RequestRecord, SimEndpoint } from './types.js';

export class RequestLog {
  private records: RequestRecord[] = [];
  private seq = 0;

  constructor(private readonly limit: number) {}

  add(record: Omit<RequestRecord, 'seq'>): RequestRecord {
    const full = { ...record, seq: ++this.seq };
    this.records.push(full);
    // Drop the oldest in bulk: a thousand parked sessions must not make every request O(n).
    if (this.records.length > this.limit * 1.25) this.records = this.records.slice(-this.limit);
    return full;
  }

  list(filter: { endpoint?: SimEndpoint | undefined; since?: number | undefined } = {}): RequestRecord[] {
    const recent = this.records.length > this.limit ? this.records.slice(-this.limit) : this.records;
    return recent.filter(
      (r) => (filter.endpoint === undefined || r.endpoint === filter.endpoint) && (filter.since === undefined || r.seq > filter.since),
    );
  }

  clear(): void {
    this.records = [];
  }
}
