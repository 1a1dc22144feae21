/** The formatter of each channel type: one module per platform, all behind `ChannelFormatter`. */
import type { ChannelType } from '../../config/types';
import type { ChannelFormatter } from '../channel-formatter';
import { discordFormatter } from './discord';
import { googleChatFormatter } from './googlechat';
import { mattermostFormatter } from './mattermost';
import { pagerDutyFormatter } from './pagerduty';
import { slackFormatter } from './slack';
import { teamsFormatter } from './teams';
import { webhookFormatter } from './webhook';

const FORMATTERS: Record<ChannelType, ChannelFormatter> = {
  slack: slackFormatter,
  teams: teamsFormatter,
  discord: discordFormatter,
  googlechat: googleChatFormatter,
  mattermost: mattermostFormatter,
  pagerduty: pagerDutyFormatter,
  webhook: webhookFormatter,
};

/** The formatter of a channel type (the config only admits these types). */
export function formatterFor(type: ChannelType): ChannelFormatter {
  return FORMATTERS[type];
}

export { MissingSecretError } from './missing-secret-error';
export { PAGERDUTY_ALERT_PATH, PAGERDUTY_CHANGE_PATH, PAGERDUTY_EVENTS_BASE_URL } from './pagerduty';
