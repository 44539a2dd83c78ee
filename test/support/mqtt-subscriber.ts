import mqtt, { type MqttClient } from "mqtt";
import { ReceivedMessages } from "./received-messages";

/** One message as a subscriber receives it. */
export interface ReceivedMqttMessage {
  topic: string;
  payload: string;
  retain: boolean;
}

/**
 * An MQTT client outside Node-RED that subscribes to topics on a broker and keeps everything it receives, so a test
 * reads what a flow published the way its consumer (a Victron driver, Home Assistant) would.
 */
export class MqttSubscriber {
  private readonly messages = new ReceivedMessages<ReceivedMqttMessage>("MQTT");

  private constructor(private readonly client: MqttClient) {
    client.on("message", (topic, payload, packet) => {
      this.messages.push({ topic, payload: payload.toString("utf8"), retain: packet.retain });
    });
  }

  static async connect(url: string, topics: string[]): Promise<MqttSubscriber> {
    const client = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
    const subscriber = new MqttSubscriber(client);
    if (topics.length > 0) await client.subscribeAsync(topics);
    return subscriber;
  }

  /** The first message, already received or still to come, that satisfies `predicate`. */
  waitFor(
    predicate: (message: ReceivedMqttMessage) => boolean,
    what: string,
    timeoutMs = 30_000,
  ): Promise<ReceivedMqttMessage> {
    return this.messages.waitFor(predicate, what, timeoutMs);
  }

  /** Everything received so far, oldest first. */
  get all(): readonly ReceivedMqttMessage[] {
    return this.messages.all;
  }

  /** Publishes as another client of the broker would (Home Assistant sending a switch command, say). */
  async publish(topic: string, payload: string, options: { retain?: boolean } = {}): Promise<void> {
    await this.client.publishAsync(topic, payload, { qos: 1, retain: options.retain ?? false });
  }

  close(): Promise<void> {
    return this.client.endAsync();
  }
}
