// Names for the API's wire types (generated into schema.d.ts from docs/openapi.json).
import type { components } from "./schema";

export type Schemas = components["schemas"];
export type Ticket = Schemas["TicketView"];
export type Priority = Schemas["Priority"];
export type TicketStatus = Schemas["Status"];
export type TicketDetail = Schemas["TicketDetail"];
export type Member = Schemas["UserView"];
export type Customer = Schemas["CustomerView"];
export type EventView = Schemas["EventView"];
export type Me = Schemas["MeResponse"];
export type Permission = Schemas["Permission"];
export type SavedView = Schemas["ViewView"];
export type Macro = Schemas["MacroView"];
export type BulkResult = Schemas["BulkUpdateResult"];
export type InboxItem = Schemas["InboxItemView"];
export type DirectoryMember = Schemas["DirectoryMember"];
export type Deal = Schemas["DealView"];
export type Company = Schemas["CompanyView"];
export type Pipeline = Schemas["PipelineView"];
export type Stage = Schemas["StageView"];
export type Board = Schemas["BoardView"];
export type BoardColumn = Schemas["BoardColumn"];
export type MoneyTotal = Schemas["MoneyTotal"];
export type EmailSettings = Schemas["EmailSettingsView"];
export type SendingDomain = Schemas["SendingDomainView"];
export type ExportJob = Schemas["ExportView"];
