import type { IncomingMessage } from 'node:http';
import { Injectable, UseGuards } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayConnection, type OnGatewayDisconnect } from '@nestjs/websockets';
import { LogupGuard, LogupService } from 'nestjs-logup';
import type { WebSocket } from 'ws';

/**
 * The account page's live updates, on a `ws` gateway at /live behind LogupGuard: a
 * logged-in browser's socket is told `db-changed` when its subscription's DB was
 * changed from another tab or device (through this replica), and reloads the page.
 * Sockets without a login are refused; a logout or "log out of all devices" closes them.
 */
@Injectable()
@UseGuards(LogupGuard)
@WebSocketGateway({ path: '/live' })
export class LiveGateway implements OnGatewayConnection, OnGatewayDisconnect {
  readonly #sockets = new Map<WebSocket, string>();

  constructor(private readonly logup: LogupService) {}

  async handleConnection(client: WebSocket, request: IncomingMessage): Promise<void> {
    const subscription = await this.logup.authenticateSocket(client, request);
    if (subscription) this.#sockets.set(client, subscription.idSubscription);
  }

  handleDisconnect(client: WebSocket): void {
    this.#sockets.delete(client);
  }

  /** Tells every open page of the subscription (on this replica) that its DB changed. */
  dbChanged(idSubscription: string): void {
    for (const [client, id] of this.#sockets) {
      if (id === idSubscription && client.readyState === client.OPEN) {
        client.send(JSON.stringify({ event: 'db-changed' }));
      }
    }
  }
}
