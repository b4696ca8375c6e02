// The deals kanban: a pipeline's stages as columns with their counts and totals per currency, a page of
// open deals per column (more on demand), cards moved by dragging, by keyboard ([ and ]) or with a
// "Move to" menu — shown at once, taken back when the server refuses (a stale card is a 409) — and a
// teammate's moves arriving live through the board in the query cache (src/lib/board.ts).
import { useEffect, useMemo, useRef, useState, type DragEvent, type FormEvent, type KeyboardEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useSearchParams } from "react-router";
import { api, call, ApiError } from "../../../api/client";
import { boardQuery, pipelinesQuery, stageDealsPage } from "../../../api/queries/deals";
import { salesKeys } from "../../../api/queries/keys";
import { invalidateDeal } from "../../../api/queries/invalidate";
import { usePermission } from "../../../api/queries/members";
import { useDirectory } from "../../../api/queries/directory";
import type { Board, BoardColumn, Deal, Pipeline } from "../../../api/types";
import { messageOf } from "../../../api/problem";
import { findCard, movedCard, neighbourStage, placeDeal } from "../../../lib/board";
import { money, parseMoney } from "../../../lib/money";
import { duration } from "../../../lib/format";
import { Field } from "../../auth/AuthFrame";
import { Empty, ErrorState, InlineError, Loading } from "../../../ui/states";
import { ListSearch } from "../../../ui/ListSearch";
import { ExportButton } from "../../../ui/ExportButton";

export function Component() {
  const pipelines = useQuery(pipelinesQuery());
  const [params, setParams] = useSearchParams();
  const chosen = params.get("pipeline");
  const pipeline = pipelines.data?.items.find((candidate) => candidate.id === chosen) ?? pipelines.data?.items[0];
  return (
    <div className="page deals-page">
      <header className="page-head">
        <h1>Deals</h1>
        {pipeline && <ExportButton kind="deals" filters={{ pipeline_id: pipeline.id }} what={`the deals of ${pipeline.name}`} />}
        {pipelines.data && pipelines.data.items.length > 1 && pipeline && (
          <label className="inline-label">
            Pipeline{" "}
            <select value={pipeline.id} onChange={(event) => setParams({ pipeline: event.target.value })}>
              {pipelines.data.items.map((candidate) => (
                <option key={candidate.id} value={candidate.id}>
                  {candidate.name}
                </option>
              ))}
            </select>
          </label>
        )}
      </header>
      {pipelines.isPending ? (
        <Loading label="Loading the pipelines…" />
      ) : pipelines.isError ? (
        <ErrorState error={pipelines.error} retry={() => void pipelines.refetch()} />
      ) : !pipeline ? (
        <Empty title="No pipeline yet">A workspace owner or admin can add one under Settings → Pipelines.</Empty>
      ) : (
        <ListSearch type="deals" label="Search deals">
          <Kanban pipeline={pipeline} />
        </ListSearch>
      )}
    </div>
  );
}

function Kanban({ pipeline }: { pipeline: Pipeline }) {
  const query = useQuery(boardQuery(pipeline.id));
  const mayWrite = usePermission("sales:write") ?? false;
  const [adding, setAdding] = useState(false);
  const move = useMoveDeal(pipeline.id);
  if (query.isPending) return <Loading label="Loading the board…" />;
  if (query.isError) return <ErrorState error={query.error} retry={() => void query.refetch()} />;
  return (
    <>
      <div className="row board-actions">
        {mayWrite && (
          <button type="button" className="button primary" aria-expanded={adding} onClick={() => setAdding((open) => !open)}>
            New deal
          </button>
        )}
        <p className="muted small">
          Drag a card to another stage, or focus it and press <kbd>[</kbd> or <kbd>]</kbd>.
        </p>
      </div>
      {adding && <NewDeal board={query.data} onDone={() => setAdding(false)} />}
      <p className="sr-only" aria-live="polite" data-testid="board-announcement">
        {move.announcement}
      </p>
      {move.error && (
        <p className="inline-error" role="alert" data-testid="move-error">
          {move.error}
        </p>
      )}
      <div className="kanban" data-testid="kanban">
        {query.data.columns.map((column) => (
          <Column key={column.stage.id} board={query.data} column={column} mayWrite={mayWrite} onMove={move.move} />
        ))}
      </div>
    </>
  );
}

/** A move shown at once, sent with the card's version, taken back when refused. */
function useMoveDeal(pipelineId: string) {
  const queries = useQueryClient();
  const [announcement, setAnnouncement] = useState("");
  const key = salesKeys.board(pipelineId);
  const mutation = useMutation({
    mutationFn: ({ deal, stageId }: { deal: Deal; stageId: string }) =>
      call(api.POST("/api/v1/deals/{id}/move", { params: { path: { id: deal.id } }, body: { stage_id: stageId, version: deal.version } })),
    onMutate: async ({ deal, stageId }) => {
      await queries.cancelQueries({ queryKey: key });
      const before = queries.getQueryData<Board>(key);
      if (before) queries.setQueryData<Board>(key, placeDeal(before, movedCard(before, deal, stageId)));
      return { before };
    },
    onError: (_error, _move, context) => {
      if (context?.before) queries.setQueryData(key, context.before);
      // The card was stale (a teammate moved or changed it): the board as it is now.
      void queries.invalidateQueries({ queryKey: key });
    },
    onSuccess: (deal) => {
      const now = queries.getQueryData<Board>(key);
      if (now) queries.setQueryData<Board>(key, placeDeal(now, deal));
      void queries.invalidateQueries({ queryKey: salesKeys.deal(deal.id) });
    },
  });
  const move = (deal: Deal, stageId: string, stageName: string) => {
    if (deal.stage_id === stageId) return;
    setAnnouncement(`Moving ${deal.title} to ${stageName}.`);
    mutation.mutate(
      { deal, stageId },
      {
        onSuccess: () => setAnnouncement(`${deal.title} is now in ${stageName}.`),
        onError: () => setAnnouncement(`${deal.title} stayed where it was.`),
      },
    );
  };
  const error = mutation.error
    ? mutation.error instanceof ApiError && mutation.error.status === 409
      ? "A teammate changed this deal first, so it was not moved. The board now shows where it is; move it again if you still want to."
      : messageOf(mutation.error)
    : null;
  return { move, announcement, error };
}

type Move = (deal: Deal, stageId: string, stageName: string) => void;

function Column({ board, column, mayWrite, onMove }: { board: Board; column: BoardColumn; mayWrite: boolean; onMove: Move }) {
  const [over, setOver] = useState(false);
  const more = useLoadMore(board.pipeline.id, column);
  const titleId = `stage-${column.stage.id}`;
  const drop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    const dealId = event.dataTransfer.getData("text/x-deal-id");
    const found = dealId ? findCard(board, dealId) : undefined;
    if (found) onMove(found.deal, column.stage.id, column.stage.name);
  };
  return (
    <section
      className={`kanban-column${over ? " over" : ""}`}
      aria-labelledby={titleId}
      data-testid="stage-column"
      data-stage={column.stage.name}
      onDragOver={(event) => {
        if (!mayWrite) return;
        event.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={drop}
    >
      <header className="kanban-head">
        <h2 id={titleId}>
          {column.stage.name} <span className="count" data-testid="stage-count">{column.count}</span>
        </h2>
        <p className="muted small">{column.stage.probability}% probability</p>
        <ul className="kanban-totals" aria-label={`${column.stage.name} totals`}>
          {column.totals.map((total) => (
            <li key={total.currency}>
              <span className="strong">{money(total.value, total.currency)}</span>{" "}
              <span className="muted small">· weighted {money(total.weighted_value, total.currency)}</span>
            </li>
          ))}
        </ul>
      </header>
      <ul className="kanban-cards">
        {column.deals.map((deal) => (
          <li key={deal.id}>
            <DealCard board={board} deal={deal} mayWrite={mayWrite} onMove={onMove} />
          </li>
        ))}
      </ul>
      {column.deals.length === 0 && <p className="muted small kanban-empty">No open deals.</p>}
      {column.next_cursor && (
        <button type="button" className="button small" onClick={more.load} disabled={more.loading}>
          {more.loading ? "Loading…" : `Load more (${column.count - column.deals.length} more)`}
        </button>
      )}
      <InlineError error={more.error} />
    </section>
  );
}

/** The column's next page, appended to the board in the cache so moves and live frames reach it too. */
function useLoadMore(pipelineId: string, column: BoardColumn) {
  const queries = useQueryClient();
  const [state, setState] = useState<{ loading: boolean; error: unknown }>({ loading: false, error: null });
  const load = async () => {
    if (!column.next_cursor) return;
    setState({ loading: true, error: null });
    try {
      const page = await stageDealsPage(pipelineId, column.stage.id, column.next_cursor);
      queries.setQueryData<Board>(salesKeys.board(pipelineId), (board) =>
        board && {
          ...board,
          columns: board.columns.map((candidate) => {
            if (candidate.stage.id !== column.stage.id) return candidate;
            const shown = new Set(candidate.deals.map((deal) => deal.id));
            return { ...candidate, deals: [...candidate.deals, ...page.items.filter((deal) => !shown.has(deal.id))], next_cursor: page.next_cursor ?? null };
          }),
        },
      );
      setState({ loading: false, error: null });
    } catch (error) {
      setState({ loading: false, error });
    }
  };
  return { load: () => void load(), loading: state.loading, error: state.error };
}

/** The card a keyboard or menu move was made on: it keeps the focus when drawn in its new column. */
let focusAfterMove: string | null = null;

function DealCard({ board, deal, mayWrite, onMove }: { board: Board; deal: Deal; mayWrite: boolean; onMove: Move }) {
  const directory = useDirectory();
  const self = useRef<HTMLElement>(null);
  const stages = board.pipeline.stages;
  const moveTo = (stageId: string | undefined) => {
    const stage = stages.find((candidate) => candidate.id === stageId);
    if (!stage) return;
    focusAfterMove = deal.id;
    onMove(deal, stage.id, stage.name);
  };
  useEffect(() => {
    if (focusAfterMove !== deal.id) return;
    focusAfterMove = null;
    self.current?.focus();
  }, [deal.id]);
  const onKeyDown = (event: KeyboardEvent) => {
    if (!mayWrite || event.target !== self.current) return;
    if (event.key === "[" || event.key === "]") {
      event.preventDefault();
      moveTo(neighbourStage(board, deal.stage_id, event.key === "[" ? -1 : 1));
    }
  };
  return (
    <article
      ref={self}
      className={`deal-card${deal.stuck ? " stuck" : ""}`}
      tabIndex={0}
      draggable={mayWrite}
      data-deal-id={deal.id}
      data-testid="deal-card"
      aria-label={`${deal.title}, ${money(deal.value, deal.currency, deal.currency_exponent)}`}
      aria-keyshortcuts={mayWrite ? "[ ]" : undefined}
      onKeyDown={onKeyDown}
      onDragStart={(event) => {
        event.dataTransfer.setData("text/x-deal-id", deal.id);
        event.dataTransfer.effectAllowed = "move";
      }}
    >
      <Link to={`/sales/deals/${deal.id}`} className="deal-title">
        {deal.title}
      </Link>
      <div className="deal-meta">
        <span className="strong">{money(deal.value, deal.currency, deal.currency_exponent)}</span>
        <span className="muted small">{deal.owner_id ? directory.name(deal.owner_id) : "Unowned"}</span>
      </div>
      <div className="deal-meta small muted">
        <span>{duration(deal.time_in_stage_seconds)} in stage</span>
        {deal.stuck && <span className="badge stuck-badge">Stuck</span>}
      </div>
      {mayWrite && (
        <select aria-label={`Move ${deal.title} to`} value={deal.stage_id} onChange={(event) => moveTo(event.target.value)} className="move-to">
          {stages.map((stage) => (
            <option key={stage.id} value={stage.id}>
              {stage.id === deal.stage_id ? `In ${stage.name}` : `Move to ${stage.name}`}
            </option>
          ))}
        </select>
      )}
    </article>
  );
}

function NewDeal({ board, onDone }: { board: Board; onDone: () => void }) {
  const queries = useQueryClient();
  const stages = board.pipeline.stages;
  const [form, setForm] = useState({ title: "", value: "", currency: "EUR", stage: stages[0]?.id ?? "", expected: "" });
  const [typed, setTyped] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: (value: number) =>
      call(
        api.POST("/api/v1/deals", {
          body: {
            title: form.title,
            value,
            currency: form.currency.trim().toUpperCase(),
            pipeline_id: board.pipeline.id,
            stage_id: form.stage || null,
            expected_close: form.expected || null,
          },
        }),
      ),
    onSuccess: (deal) => {
      const key = salesKeys.board(board.pipeline.id);
      const now = queries.getQueryData<Board>(key);
      if (now) queries.setQueryData<Board>(key, placeDeal(now, deal));
      invalidateDeal(queries, deal.id);
      onDone();
    },
  });
  const error = create.error instanceof ApiError ? create.error : null;
  const fieldError = (field: string) => error?.fieldError(field);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const value = parseMoney(form.value || "0", form.currency || "EUR");
    if (value === null) {
      setTyped("Value must be an amount of 0 or more, e.g. 1250 or 1250.50.");
      return;
    }
    setTyped(null);
    create.mutate(value);
  };
  const stageOptions = useMemo(() => stages.map((stage) => ({ id: stage.id, name: stage.name })), [stages]);
  return (
    <form className="card form grid-4" aria-label="New deal" onSubmit={submit} noValidate>
      <Field label="Title" error={fieldError("title")}>
        {(props) => <input {...props} value={form.title} onChange={(e) => setForm({ ...form, title: e.target.value })} required />}
      </Field>
      <Field label="Value" error={typed ?? fieldError("value")}>
        {(props) => <input {...props} inputMode="decimal" value={form.value} onChange={(e) => setForm({ ...form, value: e.target.value })} />}
      </Field>
      <Field label="Currency" error={fieldError("currency")}>
        {(props) => <input {...props} value={form.currency} maxLength={3} onChange={(e) => setForm({ ...form, currency: e.target.value })} />}
      </Field>
      <Field label="Stage" error={fieldError("stage_id")}>
        {(props) => (
          <select {...props} value={form.stage} onChange={(e) => setForm({ ...form, stage: e.target.value })}>
            {stageOptions.map((stage) => (
              <option key={stage.id} value={stage.id}>
                {stage.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Expected close" error={fieldError("expected_close")}>
        {(props) => <input {...props} type="date" value={form.expected} onChange={(e) => setForm({ ...form, expected: e.target.value })} />}
      </Field>
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={create.isPending}>
          Add deal
        </button>{" "}
        <button type="button" className="button ghost" onClick={onDone}>
          Cancel
        </button>
      </div>
      <InlineError error={error && error.slug === "validation-failed" ? null : create.error} />
    </form>
  );
}
