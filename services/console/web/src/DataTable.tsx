import type { ReactNode } from 'react';

/**
 * The console's one table: a keyboard-scrollable region (focusable, named for screen readers),
 * column headers with `scope="col"`, and an unlabelled-looking but announced "Actions" column
 * when rows carry buttons. The rows are the children.
 */
export function DataTable({
  label,
  testId,
  columns,
  actions = false,
  children,
}: {
  /** What a screen reader announces for the scrollable region ("Campaigns table"). */
  label: string;
  testId?: string;
  columns: readonly string[];
  /** Whether the rows end with an actions cell. */
  actions?: boolean;
  children: ReactNode;
}) {
  return (
    <div className="scroll" tabIndex={0} role="region" aria-label={label}>
      <table data-testid={testId}>
        <thead>
          <tr>
            {columns.map((column) => (
              <th scope="col" key={column}>
                {column}
              </th>
            ))}
            {actions && (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
