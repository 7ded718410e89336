/**
 * The `etcd3` package's own Election, used as its README shows: `client.election(name, ttl)`,
 * `election.campaign(value)`, start work on `elected`, stop on `error`. The lease TTL is the
 * row's TTL in whole seconds, else the library's default (60 s). isLeader is "elected and no
 * error since"; resign is `campaign.resign()` (revokes the lease); the leader's write is
 * `campaign.proclaim(value)`, which etcd3 sends as a transaction comparing the campaign key's
 * create revision (so the store refuses it once the key is gone).
 */
import { Etcd3, type Campaign } from 'etcd3';
import type { OpenContender } from './contender.js';

export const open: OpenContender = async ({ address, id, election, ttlMs }) => {
  const client = new Etcd3({ hosts: `http://${address}` });
  const elections = ttlMs === undefined ? client.election(election) : client.election(election, Math.ceil(ttlMs / 1000));
  let campaign: Campaign | undefined;
  let leading = false;
  let writes = 0;
  return {
    campaign() {
      return new Promise<void>((resolve, reject) => {
        const mine = elections.campaign(id);
        campaign = mine;
        mine.on('elected', () => {
          if (campaign !== mine) return;
          leading = true;
          resolve();
        });
        mine.on('error', (error: Error) => {
          if (campaign !== mine) return;
          leading = false; // the README's rule: stop doing work
          reject(error);
        });
      });
    },
    isLeader: () => leading,
    async resign() {
      leading = false;
      const mine = campaign;
      campaign = undefined;
      await mine?.resign();
    },
    async leaderWrite() {
      if (campaign === undefined) throw new Error('leaderWrite before leading');
      try {
        await campaign.proclaim(`${id} write ${++writes}`);
        return 'accepted';
      } catch (error) {
        if ((error as Error).name === 'NotCampaigningError') return 'refused';
        throw error;
      }
    },
  };
};
