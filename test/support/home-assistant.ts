import assert from "node:assert/strict";

/**
 * What Home Assistant accepts in the MQTT discovery configs the Home Assistant example publishes, from Home
 * Assistant's documentation: the discovery topic `<prefix>/<component>/[<node_id>/]<object_id>/config` with ids of
 * `[a-zA-Z0-9_-]` (integrations/mqtt, "Discovery topic"), and the sensor device classes with their units
 * (integrations/sensor, "Device class"), for the classes the example uses.
 */
export const DISCOVERY_TOPIC = /^homeassistant\/(sensor|binary_sensor|switch)\/([a-zA-Z0-9_-]+)\/config$/;
const SENSOR_UNITS: Record<string, string[]> = {
  battery: ["%"],
  current: ["A", "mA"],
  duration: ["d", "h", "min", "s", "ms"],
  energy_storage: ["J", "kJ", "MJ", "GJ", "mWh", "Wh", "kWh", "MWh", "GWh", "TWh", "cal", "kcal", "Mcal", "Gcal"],
  power: ["mW", "W", "kW", "MW", "GW", "TW"],
  temperature: ["°C", "°F", "K"],
  voltage: ["V", "mV", "µV", "kV", "MV"],
};
const STATE_CLASSES = ["measurement", "total", "total_increasing"];
const BINARY_SENSOR_CLASSES = ["problem"];

export interface DiscoveryConfig {
  component: string;
  topic: string;
  config: Record<string, unknown> & { unique_id: string };
}

/** Checks one retained discovery message against the schema; returns it typed. */
export function checkDiscovery(topic: string, config: Record<string, unknown>): DiscoveryConfig {
  const match = DISCOVERY_TOPIC.exec(topic);
  assert.ok(match, `discovery topic ${topic}`);
  const [, component, objectId] = match;
  assert.equal(config.unique_id, objectId, "object id is the unique_id (the docs' best practice)");
  const device = config.device as Record<string, unknown>;
  assert.ok(Array.isArray(device.identifiers) && device.identifiers.length === 1, "device identifiers");
  assert.equal(typeof device.name, "string");
  assert.equal(device.manufacturer, "JBD");
  assert.equal(typeof device.sw_version, "string");
  assert.equal(typeof (config.origin as { name?: unknown }).name, "string", "origin name (recommended)");
  const availability = config.availability as { topic: string }[];
  assert.ok(Array.isArray(availability) && availability.length === 2, "bridge and battery availability");
  assert.equal(config.availability_mode, "all");
  assert.equal(typeof config.state_topic, "string");
  assert.equal(typeof config.value_template, "string");
  if (component === "sensor") {
    const deviceClass = config.device_class as string | undefined;
    if (deviceClass !== undefined) {
      assert.ok(SENSOR_UNITS[deviceClass], `sensor device class ${deviceClass}`);
      assert.ok(SENSOR_UNITS[deviceClass]!.includes(String(config.unit_of_measurement)), `${deviceClass} unit`);
    }
    assert.ok(STATE_CLASSES.includes(String(config.state_class)), `state_class ${config.state_class}`);
    assert.equal(typeof config.expire_after, "number");
  }
  if (component === "binary_sensor") {
    if (config.device_class !== undefined) assert.ok(BINARY_SENSOR_CLASSES.includes(String(config.device_class)));
    assert.equal(typeof config.expire_after, "number");
  }
  if (component === "switch") {
    assert.match(String(config.command_topic), /\/set$/);
    assert.equal(config.payload_on, "ON");
    assert.equal(config.payload_off, "OFF");
  }
  return { component: component!, topic, config: config as DiscoveryConfig["config"] };
}

/**
 * Renders a value_template as Home Assistant would for the three forms the example uses, against the JSON state
 * it publishes: `{{ value_json.a.b[0] }}`, `{{ 'ON' if value_json.x else 'OFF' }}` and
 * `{{ 'ON' if value_json.x | length > 0 else 'OFF' }}`. Any other form fails the test, so the example's templates
 * stay ones this check understands. null renders as "None" (Home Assistant then shows "unknown").
 */
export function renderTemplate(template: string, valueJson: unknown): string {
  const onOff = /^\{\{ 'ON' if value_json\.([\w.[\]]+)( \| length > 0)? else 'OFF' \}\}$/.exec(template);
  if (onOff) {
    const value = lookup(valueJson, onOff[1]!);
    const on = onOff[2] ? (value as unknown[]).length > 0 : Boolean(value);
    return on ? "ON" : "OFF";
  }
  const plain = /^\{\{ value_json\.([\w.[\]]+) \}\}$/.exec(template);
  assert.ok(plain, `a template form this check knows: ${template}`);
  const value = lookup(valueJson, plain[1]!);
  return value === null ? "None" : String(value);
}

function lookup(root: unknown, path: string): unknown {
  let value = root;
  for (const part of path.split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== "")) {
    assert.ok(value !== null && typeof value === "object" && part in value, `value_json.${path} exists`);
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}
