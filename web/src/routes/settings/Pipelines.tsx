// Pipelines: the workspace's pipelines and their stages in board order, each with its name, win
// probability and the days after which an open deal in it is stuck. Changing them needs sales:manage;
// a stage that still holds open deals cannot be removed (the server's 409 names it and the count).
import { useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call, ApiError } from "../../api/client";
import { pipelinesQuery } from "../../api/queries/deals";
import { invalidatePipelines } from "../../api/queries/invalidate";
import { usePermission } from "../../api/queries/members";
import type { Pipeline } from "../../api/types";
import { stageNotEmptyMessage } from "../../lib/pipelines";
import { Field } from "../auth/AuthFrame";
import { Empty, ErrorState, InlineError, Loading } from "../../ui/states";

export function Component() {
  const pipelines = useQuery(pipelinesQuery());
  const mayManage = usePermission("sales:manage") ?? false;
  const [editing, setEditing] = useState<string | "new" | null>(null);
  return (
    <section aria-labelledby="pipelines-title">
      <header className="page-head">
        <h2 id="pipelines-title">Pipelines</h2>
        {mayManage && editing !== "new" && (
          <button type="button" className="button primary" onClick={() => setEditing("new")}>
            New pipeline
          </button>
        )}
      </header>
      {!mayManage && <p className="muted">Your role sees the pipelines; owners, admins and managers change them.</p>}
      {editing === "new" && <PipelineEditor onDone={() => setEditing(null)} />}
      {pipelines.isPending ? (
        <Loading label="Loading the pipelines…" />
      ) : pipelines.isError ? (
        <ErrorState error={pipelines.error} retry={() => void pipelines.refetch()} />
      ) : pipelines.data.items.length === 0 ? (
        <Empty title="No pipelines yet">The first visit to the deals board makes the default one.</Empty>
      ) : (
        pipelines.data.items.map((pipeline) =>
          editing === pipeline.id ? (
            <PipelineEditor key={pipeline.id} pipeline={pipeline} onDone={() => setEditing(null)} />
          ) : (
            <article key={pipeline.id} className="card" aria-labelledby={`pipeline-${pipeline.id}`} data-testid="pipeline">
              <header className="page-head">
                <h3 id={`pipeline-${pipeline.id}`} className="card-title">
                  {pipeline.name}
                </h3>
                {mayManage && (
                  <button type="button" className="button small" onClick={() => setEditing(pipeline.id)}>
                    Edit {pipeline.name}
                  </button>
                )}
              </header>
              <table className="table compact">
                <thead>
                  <tr>
                    <th scope="col">Stage</th>
                    <th scope="col">Probability</th>
                    <th scope="col">Stuck after</th>
                  </tr>
                </thead>
                <tbody>
                  {pipeline.stages.map((stage) => (
                    <tr key={stage.id}>
                      <td>{stage.name}</td>
                      <td>{stage.probability}%</td>
                      <td>{stage.rotting_days ? `${stage.rotting_days} days` : "—"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </article>
          ),
        )
      )}
    </section>
  );
}

interface StageRow {
  key: string;
  id?: string;
  name: string;
  probability: string;
  rotting: string;
}

const rowsOf = (pipeline?: Pipeline): StageRow[] =>
  pipeline
    ? pipeline.stages.map((stage) => ({ key: stage.id, id: stage.id, name: stage.name, probability: String(stage.probability), rotting: stage.rotting_days ? String(stage.rotting_days) : "" }))
    : [
        { key: "new-1", name: "Qualified", probability: "20", rotting: "" },
        { key: "new-2", name: "Proposal", probability: "50", rotting: "" },
        { key: "new-3", name: "Negotiation", probability: "80", rotting: "" },
      ];

function PipelineEditor({ pipeline, onDone }: { pipeline?: Pipeline; onDone: () => void }) {
  const queries = useQueryClient();
  const [name, setName] = useState(pipeline?.name ?? "");
  const [rows, setRows] = useState<StageRow[]>(() => rowsOf(pipeline));
  const save = useMutation({
    mutationFn: () => {
      const stages = rows.map((row) => ({
        ...(row.id ? { id: row.id } : {}),
        name: row.name,
        probability: Number(row.probability),
        rotting_days: row.rotting.trim() ? Number(row.rotting) : null,
      }));
      return pipeline
        ? call(api.PUT("/api/v1/pipelines/{id}", { params: { path: { id: pipeline.id } }, body: { name, stages, version: pipeline.version } }))
        : call(api.POST("/api/v1/pipelines", { body: { name, stages } }));
    },
    onSuccess: () => {
      invalidatePipelines(queries);
      onDone();
    },
    onError: (error) => {
      if (error instanceof ApiError && error.status === 409) invalidatePipelines(queries);
    },
  });
  const error = save.error instanceof ApiError ? save.error : null;
  const notEmpty = stageNotEmptyMessage(save.error, pipeline);
  const fieldError = (field: string) => error?.fieldError(field);
  const update = (index: number, change: Partial<StageRow>) => setRows((current) => current.map((row, at) => (at === index ? { ...row, ...change } : row)));
  const swap = (index: number, other: number) =>
    setRows((current) => {
      if (other < 0 || other >= current.length) return current;
      const next = [...current];
      [next[index], next[other]] = [next[other], next[index]];
      return next;
    });
  const restore = (stageId: string) => {
    const stage = pipeline?.stages.find((candidate) => candidate.id === stageId);
    if (!stage) return;
    const at = pipeline!.stages.indexOf(stage);
    setRows((current) => {
      const next = [...current];
      next.splice(Math.min(at, next.length), 0, ...rowsOf({ ...pipeline!, stages: [stage] }));
      return next;
    });
    save.reset();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  const title = pipeline ? `Edit ${pipeline.name}` : "New pipeline";
  return (
    <form className="card form" aria-label={title} onSubmit={submit} noValidate>
      <h3 className="card-title">{title}</h3>
      <Field label="Pipeline name" error={fieldError("name")}>
        {(props) => <input {...props} value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <table className="table compact stage-editor">
        <caption className="left">Stages, in board order</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Probability (%)</th>
            <th scope="col">Stuck after (days)</th>
            <th scope="col">
              <span className="sr-only">Order and removal</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row, index) => {
            const errors = [fieldError(`stages[${index}].name`), fieldError(`stages[${index}].probability`), fieldError(`stages[${index}].rotting_days`)].filter(Boolean);
            const n = index + 1;
            return (
              <tr key={row.key} data-testid="stage-row">
                <td>
                  <input aria-label={`Stage ${n} name`} value={row.name} aria-invalid={Boolean(fieldError(`stages[${index}].name`))} onChange={(e) => update(index, { name: e.target.value })} />
                  {errors.map((message) => (
                    <p key={message} className="field-error">
                      {message}
                    </p>
                  ))}
                </td>
                <td>
                  <input aria-label={`Stage ${n} probability`} inputMode="numeric" size={4} value={row.probability} onChange={(e) => update(index, { probability: e.target.value })} />
                </td>
                <td>
                  <input aria-label={`Stage ${n} stuck after days`} inputMode="numeric" size={4} value={row.rotting} onChange={(e) => update(index, { rotting: e.target.value })} />
                </td>
                <td className="row">
                  <button type="button" className="button small" aria-label={`Move stage ${n} up`} disabled={index === 0} onClick={() => swap(index, index - 1)}>
                    ↑
                  </button>
                  <button type="button" className="button small" aria-label={`Move stage ${n} down`} disabled={index === rows.length - 1} onClick={() => swap(index, index + 1)}>
                    ↓
                  </button>
                  <button type="button" className="button small ghost" aria-label={`Remove stage ${row.name || n}`} onClick={() => setRows((current) => current.filter((_, at) => at !== index))}>
                    Remove
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <div className="row">
        <button type="button" className="button small" onClick={() => setRows((current) => [...current, { key: `new-${crypto.randomUUID()}`, name: "", probability: "50", rotting: "" }])}>
          Add stage
        </button>
      </div>
      {notEmpty && (
        <div className="notice warn" role="alert" data-testid="stage-not-empty">
          {notEmpty.message}{" "}
          <button type="button" className="link" onClick={() => restore(notEmpty.stageId)}>
            Keep the stage
          </button>
        </div>
      )}
      {!notEmpty && <InlineError error={error && error.slug === "validation-failed" && error.problem.errors?.some((e) => e.field.startsWith("stages[") || e.field === "name") ? null : save.error} />}
      <div className="row">
        <button type="submit" className="button primary" disabled={save.isPending}>
          {pipeline ? "Save stages" : "Create pipeline"}
        </button>
        <button type="button" className="button ghost" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
