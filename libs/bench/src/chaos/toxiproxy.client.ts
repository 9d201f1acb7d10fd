/** One toxic of Toxiproxy's HTTP API (https://github.com/Shopify/toxiproxy#toxics). */
export interface Toxic {
  name: string;
  type: 'latency' | 'reset_peer' | 'timeout' | 'bandwidth' | 'slow_close' | 'slicer' | 'limit_data';
  /** downstream: server to client; upstream: client to server. */
  stream: 'downstream' | 'upstream';
  toxicity?: number;
  attributes: Record<string, number>;
}

/**
 * The few calls of Toxiproxy's HTTP API the fault-injection suite needs: a proxy per server, and
 * toxics added and removed on it while the services run through it.
 */
export class ToxiproxyClient {
  constructor(private readonly baseUrl: string) {}

  /** Creates (or recreates, without toxics) a proxy listening on `listen` and forwarding to `upstream`. */
  async proxy(name: string, listen: string, upstream: string): Promise<void> {
    await this.call('DELETE', `/proxies/${name}`, undefined, [404]);
    await this.call('POST', '/proxies', { name, listen, upstream, enabled: true });
  }

  async addToxic(proxy: string, toxic: Toxic): Promise<void> {
    await this.call('POST', `/proxies/${proxy}/toxics`, { toxicity: 1, ...toxic });
  }

  async removeToxic(proxy: string, name: string): Promise<void> {
    await this.call('DELETE', `/proxies/${proxy}/toxics/${name}`, undefined, [404]);
  }

  /** Every proxy enabled again and every toxic removed. */
  async reset(): Promise<void> {
    await this.call('POST', '/reset');
  }

  async removeProxy(name: string): Promise<void> {
    await this.call('DELETE', `/proxies/${name}`, undefined, [404]);
  }

  private async call(method: string, path: string, body?: unknown, tolerated: number[] = []): Promise<void> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok && !tolerated.includes(response.status))
      throw new Error(`toxiproxy ${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
  }
}
