#!/bin/sh
# Creates the RabbitMQ user of one gateway (or changes its password) and confines it to that
# gateway's topics, for a cluster with the MQTT plugin (rabbitmq-plugins enable rabbitmq_mqtt).
#
#   rabbitmq-gateway-user.sh GATEWAY_ID [VHOST] < password-file
#
# The user name is the gateway id, and so is the gateway's MQTT client id (the gateway sets it), so
# the user may use only its own subscription queues. The password is read from the first line of
# standard input. Set RFID_BASE_TOPIC (default rfid) if the gateways set another mqtt.baseTopic,
# RFID_DISCOVERY_PREFIX (default homeassistant) for another Home Assistant prefix, and RABBITMQCTL
# to call another rabbitmqctl (e.g. with -n node).
#
# RabbitMQ matches topic permissions against routing keys, where the MQTT plugin has turned every
# "/" of a topic into "." (rfid/gw1/status is rfid.gw1.status); a "." inside an MQTT topic level
# would become a level of its own, so a gateway id used with RabbitMQ must not contain one.
set -eu

usage='usage: rabbitmq-gateway-user.sh GATEWAY_ID [VHOST] < password-file'
gw=${1:?$usage}
vhost=${2:-/}
base=${RFID_BASE_TOPIC:-rfid}
ha=${RFID_DISCOVERY_PREFIX:-homeassistant}
ctl=${RABBITMQCTL:-rabbitmqctl}

case $gw in
  '' | *[!A-Za-z0-9_-]*)
    echo "gateway id '$gw': use letters, digits, _ and - only (a '.' splits the topic level in RabbitMQ)" >&2
    exit 2
    ;;
esac
for prefix in "$base" "$ha"; do
  case $prefix in
    '' | /* | */ | *//* | *[!A-Za-z0-9_/-]*)
      echo "topic prefix '$prefix': use letters, digits, _, - and single / between levels" >&2
      exit 2
      ;;
  esac
done

password=
IFS= read -r password || true
if [ -z "$password" ]; then
  echo "no password on standard input ($usage)" >&2
  exit 2
fi

# A topic prefix as a routing-key regex: rfid/shop becomes rfid\.shop.
key() { printf '%s' "$1" | sed 's|/|\\.|g'; }
b=$(key "$base")
h=$(key "$ha")

if $ctl -q list_users | cut -f1 | grep -qx -- "$gw"; then
  $ctl -q change_password "$gw" "$password"
else
  $ctl -q add_user "$gw" "$password"
fi

# The vhost: publishing into amq.topic (the MQTT plugin's exchange), and the gateway's own
# subscription queues, mqtt-subscription-<clientId>qos0 and ...qos1, nobody else's.
queues="mqtt-subscription-${gw}qos[01]"
$ctl -q set_permissions -p "$vhost" "$gw" "^${queues}\$" "^(amq\\.topic|${queues})\$" "^(amq\\.topic|${queues})\$"

# Topics. Write: everything under its base, its answers to group requests, and its own Home
# Assistant discovery configs.
# Read: its requests, every group's requests, Home Assistant's lock commands for it, its own configs (read back to clear
# stale ones) and Home Assistant's status.
write="^${b}\\.${gw}\\.|^${b}\\.groups\\.[^.]+\\.response\\.${gw}\\.|^${h}\\.[^.]+\\.${gw}\\.[^.]+\\.config\$"
read="^${b}\\.${gw}\\.request\\.|^${b}\\.groups\\.[^.]+\\.request\\.|^${b}\\.${gw}\\.homeassistant\\.lock\\.[^.]+\\.set\$|^${h}\\.[^.]+\\.${gw}\\.[^.]+\\.config\$|^${h}\\.status\$"
$ctl -q set_topic_permissions -p "$vhost" "$gw" amq.topic "$write" "$read"
