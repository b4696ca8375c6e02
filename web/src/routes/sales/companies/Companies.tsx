// Companies (contract B) are not in this API yet: the screen says so instead of pretending.
import { Link } from "react-router";
import { Placeholder } from "../../placeholders/Placeholder";

export function Component() {
  return (
    <Placeholder title="Companies">
      Company records (accounts with their contacts and deals) arrive with the next API release. Until then a lead&apos;s company is the text on the lead; see{" "}
      <Link to="/sales/leads">the leads</Link>.
    </Placeholder>
  );
}
