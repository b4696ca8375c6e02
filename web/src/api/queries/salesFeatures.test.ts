import { describe, expect, it } from "vitest";
import { salesFeatures, type ApiDocument } from "./salesFeatures";

describe("sales features the API offers", () => {
  it("are none on an API without the contract's endpoints", () => {
    const today = {
      paths: { "/api/v1/leads": { get: {}, post: {} }, "/api/v1/leads/{id}/convert": { post: {} } },
      components: { schemas: { ConvertLeadRequest: { properties: { customer_id: {}, version: {} } } } },
    };
    expect(salesFeatures(today)).toEqual({ bulk: false, activities: false, myTasks: false, convertWithDeal: false });
    expect(salesFeatures({})).toEqual({ bulk: false, activities: false, myTasks: false, convertWithDeal: false });
  });

  it("light up one by one as the API description names them", () => {
    const later: ApiDocument & { paths: NonNullable<ApiDocument["paths"]> } = {
      paths: {
        "/api/v1/leads/bulk": { post: {} },
        "/api/v1/leads/{id}/activities": { get: {} },
        "/api/v1/me/tasks": { get: {} },
      },
      components: { schemas: { ConvertLeadRequest: { properties: { deal: {} } } } },
    };
    // Activities need both listing and logging.
    expect(salesFeatures(later)).toEqual({ bulk: true, activities: false, myTasks: true, convertWithDeal: true });
    later.paths["/api/v1/leads/{id}/activities"] = { get: {}, post: {} };
    expect(salesFeatures(later).activities).toBe(true);
  });
});
