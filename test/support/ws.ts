/** A WebSocket client that records every message it receives (inspector and relay tests). */
import WebSocket from 'ws';

export function listenTo(url: string): Promise<{ socket: WebSocket; messages: string[] }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const messages: string[] = [];
    socket.on('message', (data) => messages.push(String(data)));
    socket.once('open', () => resolve({ socket, messages }));
    socket.once('error', reject);
  });
}
