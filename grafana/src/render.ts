/**
 * Turns built dashboards into the JSON files Grafana provisions: stable panel ids, tidy links,
 * stable key order (the builders' order), two-space indentation and a final newline, so that
 * regenerating an unchanged dashboard produces a byte-identical file and `--check` can compare bytes.
 */
import type { Dashboard, DashboardLink, Panel, RowPanel } from '@grafana/grafana-foundation-sdk/dashboard';

const isRow = (panel: Panel | RowPanel): panel is RowPanel => panel.type === 'row';

/** Field data links only use title, url and targetBlank; the builder fills in dashboard-link fields too. */
interface FieldDataLink {
  title: string;
  url: string;
  targetBlank: boolean;
}

const toFieldDataLink = (link: DashboardLink): FieldDataLink => ({
  title: link.title,
  url: link.url ?? '',
  targetBlank: link.targetBlank,
});

const tidyPanel = (panel: Panel, id: number): void => {
  panel.id = id;
  const defaults = panel.fieldConfig?.defaults;
  if (defaults?.links !== undefined) {
    defaults.links = (defaults.links as DashboardLink[]).map(toFieldDataLink) as unknown as DashboardLink[];
  }
};

/**
 * Numbers panels 1..n in layout order (rows and the panels inside collapsed rows included): Grafana
 * needs unique ids for links to a single panel (viewPanel=) and for panel JSON export. Shows the
 * dashboard links in the header: the SDK's default placement puts them in the controls menu, where
 * nobody learning the stack would look.
 */
export const normalize = (dashboard: Dashboard): Dashboard => {
  let next = 1;
  for (const panel of dashboard.panels ?? []) {
    if (isRow(panel)) {
      panel.id = next++;
      for (const inner of panel.panels) tidyPanel(inner, next++);
    } else {
      tidyPanel(panel, next++);
    }
  }
  for (const link of dashboard.links ?? []) delete link.placement;
  return dashboard;
};

/** The file content for one dashboard. */
export const renderDashboard = (dashboard: Dashboard): string => `${JSON.stringify(normalize(dashboard), null, 2)}\n`;
