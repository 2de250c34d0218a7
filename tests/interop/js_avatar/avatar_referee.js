// Microsoft's JavaScript Speech SDK (AvatarSynthesizer) against the azspeech emulator.
// Node has no RTCPeerConnection: a stand-in hands the SDK a real SDP offer (made by
// aiortc in the Python test) and records the answer the SDK applies.
// Usage: node avatar_referee.js ws://127.0.0.1:PORT KEY OFFER_JSON_FILE
"use strict";
const fs = require("fs");
const sdk = require("microsoft-cognitiveservices-speech-sdk");

const [host, key, offerFile] = process.argv.slice(2);
const offer = JSON.parse(fs.readFileSync(offerFile, "utf8"));

globalThis.RTCSessionDescription = class {
  constructor(init) { this.type = init.type; this.sdp = init.sdp; }
  toJSON() { return { type: this.type, sdp: this.sdp }; }
};

class StandInPeerConnection {
  constructor(iceServers) {
    this.iceServers = iceServers;
    this.iceGatheringState = "new";
    this.localDescription = null;
    this.remoteDescription = null;
    this.onicegatheringstatechange = null;
    this.onicecandidate = null;
  }
  getConfiguration() { return { iceServers: this.iceServers }; }
  async createOffer() { return new RTCSessionDescription(offer); }
  async setLocalDescription(description) {
    this.localDescription = description;
    setTimeout(() => {
      this.iceGatheringState = "complete";
      if (this.onicegatheringstatechange) this.onicegatheringstatechange();
    }, 10);
  }
  async setRemoteDescription(description) { this.remoteDescription = description; }
}

async function main() {
  const out = {};
  const speechConfig = sdk.SpeechConfig.fromHost(new URL(host), key);
  speechConfig.speechSynthesisVoiceName = "en-US-AvaMultilingualNeural";
  const format = new sdk.AvatarVideoFormat();
  format.setCropRange(new sdk.Coordinate(600, 0), new sdk.Coordinate(1320, 1080));
  const avatarConfig = new sdk.AvatarConfig("lisa", "casual-sitting", format);
  avatarConfig.backgroundColor = "#00FF00FF";
  const pc = new StandInPeerConnection([
    { urls: ["turn:127.0.0.1:3478"], username: "referee", credential: "secret" },
  ]);
  const synthesizer = new sdk.AvatarSynthesizer(speechConfig, avatarConfig);
  const signals = [];
  synthesizer.avatarEventReceived = (_s, e) => signals.push(e.description);
  try {
    const started = await synthesizer.startAvatarAsync(pc);
    out.start_reason = sdk.ResultReason[started.reason];
    out.start_error = started.errorDetails || null;
    out.remote = pc.remoteDescription
      ? { type: pc.remoteDescription.type, sdp: pc.remoteDescription.sdp }
      : null;
    const spoken = await synthesizer.speakTextAsync("Hello from the JavaScript referee.");
    out.speak_reason = sdk.ResultReason[spoken.reason];
    out.speak_error = spoken.errorDetails || null;
    out.signals = signals;
    // a long speech, stopped: the SDK sends synthesis.control {"action": "stop"}
    const long = synthesizer.speakTextAsync("This goes on for a long while. ".repeat(10));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await synthesizer.stopSpeakingAsync();
    const stopped = await long.catch((err) => ({ reason: -1, errorDetails: String(err) }));
    out.stopped_reason = sdk.ResultReason[stopped.reason] || String(stopped.reason);
  } catch (err) {
    out.error = String(err);
  } finally {
    await synthesizer.close();
  }
  process.stdout.write(JSON.stringify(out) + "\n");
}

main().then(() => process.exit(0), (err) => {
  process.stdout.write(JSON.stringify({ error: String(err) }) + "\n");
  process.exit(1);
});
