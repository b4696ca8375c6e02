import { Link } from "react-router";
import { Placeholder } from "./Placeholder";

export function Component() {
  return (
    <Placeholder title="SLA radar">
      Tickets at risk of breaching and already breached will be listed here. Meanwhile each ticket shows its SLA clocks; sort the{" "}
      <Link to="/inbox?sort=priority">inbox by priority</Link> to see urgent work first.
    </Placeholder>
  );
}
