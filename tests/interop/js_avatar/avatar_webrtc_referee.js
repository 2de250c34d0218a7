// Microsoft's JavaScript Speech SDK (AvatarSynthesizer) with a real WebRTC stack in node
// (@roamhq/wrtc, Google's libwebrtc) against the azspeech emulator's avatar peer.
// It follows Microsoft's avatar sample (samples/js/browser/avatar/js/basic.js): fetch the
// relay token, build the RTCPeerConnection from its first URL, a client "eventChannel",
// sendrecv video and audio transceivers, startAvatarAsync, speak, stop, close. It prints one
// JSON line with what happened and what arrived (getStats and the tracks' own frames).
// Usage: node avatar_webrtc_referee.js http://127.0.0.1:PORT KEY
"use strict";
const wrtc = require("@roamhq/wrtc");

// the browser globals AvatarSynthesizer uses (it calls `new RTCSessionDescription(...)`)
for (const name of ["RTCPeerConnection", "RTCSessionDescription", "RTCIceCandidate",
  "MediaStream", "MediaStreamTrack"]) {
  globalThis[name] = wrtc[name];
}
const sdk = require("microsoft-cognitiveservices-speech-sdk");

const [base, key] = process.argv.slice(2);
const LIMIT_MS = 8000; // every wait below is bounded by this
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const started = Date.now();
const since = () => Date.now() - started;

async function until(what, check) {
  const deadline = Date.now() + LIMIT_MS;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

async function relayToken() {
  // the sample: GET .../cognitiveservices/avatar/relay/token/v1 with the subscription key
  const response = await fetch(`${base}/cognitiveservices/avatar/relay/token/v1`, {
    headers: { "Ocp-Apim-Subscription-Key": key },
  });
  if (!response.ok) throw new Error(`relay token: HTTP ${response.status}`);
  return response.json();
}

// inbound-rtp per kind and the selected candidate pair, from getStats()
async function snapshot(pc) {
  const stats = await pc.getStats();
  const out = { video: null, audio: null, pair: null };
  const byId = new Map();
  stats.forEach((s) => byId.set(s.id, s));
  stats.forEach((s) => {
    if (s.type === "inbound-rtp") {
      const kind = s.kind || s.mediaType;
      out[kind] = {
        packets: s.packetsReceived || 0,
        bytes: s.bytesReceived || 0,
        frames_received: s.framesReceived,
        frames_decoded: s.framesDecoded,
        codec: byId.get(s.codecId) ? byId.get(s.codecId).mimeType : null,
      };
    }
    if (s.type === "transport" && s.selectedCandidatePairId) {
      const pair = byId.get(s.selectedCandidatePairId);
      const local = pair && byId.get(pair.localCandidateId);
      const remote = pair && byId.get(pair.remoteCandidateId);
      if (local && remote) {
        out.pair = {
          local: `${local.address || local.ip}:${local.port}`,
          local_type: local.candidateType,
          remote: `${remote.address || remote.ip}:${remote.port}`,
          remote_type: remote.candidateType,
          protocol: local.protocol,
        };
      }
    }
  });
  return out;
}

async function main() {
  const out = { timeline_ms: {} };
  const mark = (name) => { out.timeline_ms[name] = since(); };
  const token = await relayToken();
  mark("relay_token");
  out.relay_urls = token.Urls;

  const speechConfig = sdk.SpeechConfig.fromHost(new URL(base.replace(/^http/, "ws")), key);
  speechConfig.speechSynthesisVoiceName = "en-US-AvaMultilingualNeural";
  const avatarConfig = new sdk.AvatarConfig("lisa", "casual-sitting", new sdk.AvatarVideoFormat());
  avatarConfig.backgroundColor = "#00FF00FF";

  const pc = new wrtc.RTCPeerConnection({
    iceServers: [{ urls: [token.Urls[0]], username: token.Username, credential: token.Password }],
  });
  const frames = { video: 0, audio: 0, audio_loud: 0, width: 0, height: 0 };
  const sinks = [];
  const events = [];
  out.tracks = [];
  pc.ontrack = (event) => {
    const track = event.track;
    out.tracks.push(track.kind);
    if (track.kind === "video") {
      const sink = new wrtc.nonstandard.RTCVideoSink(track);
      sink.onframe = ({ frame }) => {
        frames.video += 1;
        frames.width = frame.width;
        frames.height = frame.height;
      };
      sinks.push(sink);
    } else {
      const sink = new wrtc.nonstandard.RTCAudioSink(track);
      sink.ondata = ({ samples }) => {
        frames.audio += 1;
        let peak = 0;
        for (const v of samples) peak = Math.max(peak, Math.abs(v));
        if (peak > 1000) frames.audio_loud += 1;
      };
      sinks.push(sink);
    }
  };
  let serviceChannel = null;
  pc.addEventListener("datachannel", (event) => {
    serviceChannel = event.channel;
    event.channel.onmessage = (e) => {
      try {
        events.push(JSON.parse(e.data).event.eventType);
      } catch (err) {
        events.push(`unparsed: ${String(e.data).slice(0, 80)}`);
      }
    };
  });
  pc.createDataChannel("eventChannel"); // the sample's workaround, so the listener works
  pc.addTransceiver("video", { direction: "sendrecv" });
  pc.addTransceiver("audio", { direction: "sendrecv" });

  const synthesizer = new sdk.AvatarSynthesizer(speechConfig, avatarConfig);
  try {
    const start = await synthesizer.startAvatarAsync(pc);
    mark("start_completed");
    out.start_reason = sdk.ResultReason[start.reason];
    out.start_error = start.errorDetails || null;
    await until("connectionState connected", () => pc.connectionState === "connected"
      || pc.connectionState === "failed");
    out.connection_state = pc.connectionState;
    out.ice_connection_state = pc.iceConnectionState;
    mark("connected");
    await until("video and audio frames", () => frames.video > 0 && frames.audio > 0);
    mark("first_frames");
    await sleep(300); // idle avatar: media flows before anyone speaks
    // the sample does not wait for the service's channel; we do (bounded, not required)
    // so that the first speech's events are not sent before it is open
    await until("the service's data channel", () => serviceChannel
      && serviceChannel.readyState === "open").catch(() => null);
    out.service_channel = serviceChannel
      ? { label: serviceChannel.label, state: serviceChannel.readyState } : null;
    const before = await snapshot(pc);
    const framesBefore = { ...frames };
    const loudBefore = frames.audio_loud;

    const text = "Hello from the JavaScript referee over WebRTC.";
    const spoken = await synthesizer.speakTextAsync(text);
    mark("speak_completed");
    out.speak_reason = sdk.ResultReason[spoken.reason];
    out.speak_error = spoken.errorDetails || null;
    out.speak_result_id = spoken.resultId;
    out.speak_audio_ms = spoken.audioDuration ? spoken.audioDuration / 10000 : null;
    const after = await snapshot(pc);
    out.stats_before_speak = before;
    out.stats_after_speak = after;
    out.sink_frames_before_speak = framesBefore;
    out.sink_frames_after_speak = { ...frames };
    out.loud_audio_frames_while_speaking = frames.audio_loud - loudBefore;

    // a long speech, stopped after a moment
    const long = synthesizer.speakTextAsync("This goes on for a long while. ".repeat(10));
    await sleep(300);
    await synthesizer.stopSpeakingAsync();
    const stopped = await long.catch((err) => ({ reason: -1, errorDetails: String(err) }));
    mark("stopped");
    out.stopped_reason = sdk.ResultReason[stopped.reason] || String(stopped.reason);
    out.events = events;
  } catch (err) {
    out.error = String(err && err.stack ? err.stack : err);
  } finally {
    await synthesizer.close();
    for (const sink of sinks) sink.stop();
    pc.close();
    mark("closed");
  }
  process.stdout.write(JSON.stringify(out) + "\n");
}

const guard = setTimeout(() => {
  process.stdout.write(JSON.stringify({ error: "referee timed out" }) + "\n");
  process.exit(2);
}, 4 * LIMIT_MS);
main().then(() => { clearTimeout(guard); process.exit(0); }, (err) => {
  process.stdout.write(JSON.stringify({ error: String(err) }) + "\n");
  process.exit(1);
});
