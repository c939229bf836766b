// The app: one client for every page, signed in at launch with the invite code or share
// token the member arrived with (a share card's path carries them).
import { createClient, type QuanziClient } from "@quanzi/miniprogram";

export interface AppData {
  client: QuanziClient;
}

App<AppData>({
  client: createClient({ url: "https://api.quanzi.example", platform: wx }),
  onLaunch(options) {
    const query = options.query as { invite?: string; share?: string };
    if (!this.client.signedIn) {
      this.client.login({ inviteCode: query.invite, shareToken: query.share }).catch((error: unknown) => {
        console.error("sign-in failed", error);
      });
    }
  },
});
