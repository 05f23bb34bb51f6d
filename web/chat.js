// The chat widget (rasa-webchat, installed from npm and served from this origin).
// Session storage, not local storage: the conversation is health data, and it should
// not outlive the browser tab. The opening payload makes the assistant greet first.
(function () {
  var config = window.INTAKE_CONFIG;
  window.WebChat.default({
    initPayload: "/greet",
    socketUrl: config.socketUrl,
    socketPath: "/socket.io/",
    title: config.practiceTitle,
    subtitle: "Intake assistant",
    embedded: true,
    showFullScreenButton: false,
    inputTextFieldHint: "Type your message...",
    params: { storage: "session" },
    customMessageDelay: function () { return 300; },
    customData: { language: "en" }
  }, document.getElementById("webchat"));
})();
