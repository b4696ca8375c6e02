// Which parts of the CRM contract the running API offers, read from its served OpenAPI document.
/** The served API description, as far as presence checks read it. */
export interface ApiDocument {
  paths?: Record<string, Record<string, unknown>>;
  components?: { schemas?: Record<string, { properties?: Record<string, unknown> }> };
}

/** What of the contract the running API offers; each screen part asks before it shows. */
export interface SalesFeatures {
  bulk: boolean;
  activities: boolean;
  myTasks: boolean;
  convertWithDeal: boolean;
}

export function salesFeatures(doc: ApiDocument): SalesFeatures {
  const has = (path: string, method: string) => Boolean(doc.paths?.[path]?.[method]);
  return {
    bulk: has("/api/v1/leads/bulk", "post"),
    activities: has("/api/v1/leads/{id}/activities", "get") && has("/api/v1/leads/{id}/activities", "post"),
    myTasks: has("/api/v1/me/tasks", "get"),
    convertWithDeal: Boolean(doc.components?.schemas?.ConvertLeadRequest?.properties?.deal),
  };
}

export const NO_SALES_FEATURES: SalesFeatures = { bulk: false, activities: false, myTasks: false, convertWithDeal: false };

