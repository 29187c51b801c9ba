/* The sidebar's page script: the JS-SDK handshake, then one request for the card.
 *
 * wx.config (corp ticket) → wx.ready → wx.agentConfig (app ticket) → getCurExternalContact or
 * getCurExternalChat → GET /sidebar/api/customers/{id} or /sidebar/api/groups/{chat_id}.
 * The signatures come in the page (#boot), signed by siyu for this page's URL (doc 96909).
 * Every action is a JSON POST to /sidebar/api/: the server checks the staff member's right
 * to the customer; the page only shows what it is told. */
(function () {
  "use strict";

  function boot() {
    return JSON.parse(document.getElementById("boot").textContent);
  }

  function ok(res, api) {
    return Boolean(res) && String(res.err_msg || res.errMsg || "") === api + ":ok";
  }

  function nonce() {
    var bytes = new Uint8Array(8);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }

  function local(iso) {
    /* "2025-03-11T10:00:00+08:00" → "3月11日 10:00": the server sends local times. */
    if (!iso) { return ""; }
    var m = /^\d{4}-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso);
    return m ? Number(m[1]) + "月" + Number(m[2]) + "日 " + m[3] + ":" + m[4] : iso;
  }

  function sidebar() {
    var b = boot();
    return {
      b: b,
      s: b.strings,
      state: "loading",
      card: null,
      problem: "",
      notice: "",
      busy: false,
      newTag: "",
      reminderText: "",
      query: "",
      target: "",

      init: function () {
        var self = this;
        wx.config({
          beta: true,
          debug: false,
          appId: b.corp_id,
          timestamp: b.config.timestamp,
          nonceStr: b.config.nonceStr,
          signature: b.config.signature,
          jsApiList: b.js_apis
        });
        wx.error(function (res) { self.fail(self.s.failed + (res && res.errMsg || "")); });
        wx.ready(function () {
          wx.agentConfig({
            corpid: b.corp_id,
            agentid: b.agent_id,
            timestamp: b.agent_config.timestamp,
            nonceStr: b.agent_config.nonceStr,
            signature: b.agent_config.signature,
            jsApiList: b.js_apis,
            success: function () { self.current(); },
            fail: function (res) { self.fail(self.s.failed + (res && res.errMsg || "")); }
          });
        });
      },

      current: function () {
        var self = this;
        var api = b.kind === "group" ? "getCurExternalChat" : "getCurExternalContact";
        wx.invoke(api, {}, function (res) {
          if (!ok(res, api)) { self.fail(self.s.no_context); return; }
          self.target = b.kind === "group"
            ? "/sidebar/api/groups/" + encodeURIComponent(res.chatId)
            : "/sidebar/api/customers/" + encodeURIComponent(res.userId);
          self.load();
        });
      },

      fail: function (message) {
        this.state = "failed";
        this.problem = message;
      },

      refusal: function (status, body) {
        if (status === 401) { return this.s.signed_out; }
        if (status === 403) { return b.kind === "group" ? this.s.group_refused : this.s.refused; }
        if (status === 503) { return this.s.unavailable; }
        if (status === 422 && body && /[\u4e00-\u9fff]/.test(body.error || "")) { return body.error; }
        return this.s.error;
      },

      call: function (method, path, body, headers) {
        var self = this;
        var init = {method: method, credentials: "same-origin", headers: headers || {}};
        if (method === "POST") { init.headers["X-CSRF-Token"] = b.csrf; }
        if (body !== undefined) {
          init.headers["Content-Type"] = "application/json";
          init.body = JSON.stringify(body);
        }
        self.busy = true;
        self.problem = "";
        self.notice = "";
        return fetch(path, init).then(function (response) {
          return response.json().catch(function () { return {}; }).then(function (json) {
            self.busy = false;
            if (!response.ok) {
              self.problem = self.refusal(response.status, json);
              throw new Error(String(response.status));
            }
            return json;
          });
        }, function (error) {
          self.busy = false;
          self.problem = self.s.error;
          throw error;
        });
      },

      load: function () {
        var self = this;
        return self.call("GET", self.target).then(function (card) {
          self.card = card;
          self.state = "ready";
        }, function () { self.state = "failed"; });
      },

      act: function (suffix, body, notice, headers) {
        var self = this;
        return self.call("POST", self.target + suffix, body, headers).then(function (answer) {
          return self.load().then(function () {
            self.notice = typeof notice === "function" ? notice(answer) : notice;
            return answer;
          });
        });
      },

      tagChoices: function () {
        var mine = (this.card.tags || []).map(function (t) { return t.id; });
        return (this.card.tag_choices || []).filter(function (t) { return mine.indexOf(t.id) < 0; });
      },

      addTag: function () {
        var self = this;
        if (!self.newTag) { return; }
        self.act("/tags", {add: [self.newTag]}, self.s.tag_saved).then(function () {
          self.newTag = "";
        }, function () {});
      },

      removeTag: function (id) {
        this.act("/tags", {remove: [id]}, this.s.tag_saved).catch(function () {});
      },

      addReminder: function () {
        var self = this;
        var text = self.reminderText.trim();
        if (!text) { return; }
        self.act("/reminders", {text: text}, function (made) {
          return self.s.reminder_saved.replace("{due}", local(made.due) + " " + made.text);
        }, {"Idempotency-Key": nonce()}).then(function () {
          self.reminderText = "";
        }, function () {});
      },

      doneReminder: function (id) {
        this.act("/reminders/" + id + "/done", {}, "").catch(function () {});
      },

      setDnd: function (on) {
        this.act("/dnd", {on: on}, "").catch(function () {});
      },

      shownReplies: function () {
        var words = this.query.toLowerCase().split(/\s+/).filter(Boolean);
        return (this.card.quick_replies || []).map(function (group) {
          return {
            group: group.group,
            replies: group.replies.filter(function (r) {
              var hay = [r.title, r.text].concat(r.keywords).join(" ").toLowerCase();
              return words.every(function (w) { return hay.indexOf(w) >= 0; });
            })
          };
        }).filter(function (group) { return group.replies.length > 0; });
      },

      sendReply: function (id) {
        var self = this;
        self.call("POST", self.target + "/replies/" + encodeURIComponent(id), {})
          .then(function (answer) { return self.putIntoChat(answer.messages); })
          .then(function () { return self.load(); })
          .then(function () { self.notice = self.s.reply_sent; },
                function (error) {
                  if (error && error.errMsg) { self.problem = self.s.reply_failed + error.errMsg; }
                });
      },

      putIntoChat: function (messages) {
        /* One sendChatMessage per message, in order (text, then attachments). */
        return messages.reduce(function (done, message) {
          return done.then(function () {
            return new Promise(function (resolve, reject) {
              wx.invoke("sendChatMessage", message, function (res) {
                if (ok(res, "sendChatMessage")) { resolve(res); }
                else { reject({errMsg: res && res.err_msg}); }
              });
            });
          });
        }, Promise.resolve());
      },

      when: local,
      day: function (iso) { return local(iso).split(" ")[0]; },
      stateName: function (state) { return this.s["state_" + state] || state; },
      actionName: function (action) { return this.s["action_" + action] || action; },
      flagName: function (flag) {
        return flag.kind === "intent" ? (this.s["intent_" + flag.label] || flag.label) : flag.label;
      },
      today: function () {
        return this.s.today.replace("{joins}", this.card.today.joins)
          .replace("{quits}", this.card.today.quits);
      }
    };
  }

  document.addEventListener("alpine:init", function () {
    window.Alpine.data("sidebar", sidebar);
  });
})();
