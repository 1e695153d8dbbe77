import { useCallback, useEffect, useReducer, useState } from 'react';
import { Box, Text, useApp, useInput } from 'ink';
import type { CheckResult, Provider } from '../../shared/check-result';
import type { Job } from '../../shared/job';
import type { Requirement } from '../../shared/requirement';
import { ModelTable } from './model-table';
import { TotalLine } from './total-line';
import { TokenPrompt } from './token-prompt';
import { palettesFor } from './palettes';
import { rowStatus } from './row-status';
import { fitText } from './fit-text';
import { keyCommand } from './key-command';
import { useTerminalSize } from './use-terminal-size';
import {
  initialTuiState,
  tuiReducer,
  visibleRows,
  type TokenRequest,
  type TuiAction,
  type TuiRowLabel,
} from './tui-state';

/** What the terminal UI needs from the depot service (services/depot/create-depot.ts), bound to one model list. */
export interface TuiDepot {
  /** Checks the workflow or repository the UI was opened with. */
  check(): Promise<CheckResult>;
  /** How rows are shown, by target path (WanGP's models: the model's name and ckpts/). Default: by folder. */
  labels?: ReadonlyMap<string, TuiRowLabel>;
  install(items: Requirement[], options: { clientId: string }): Promise<Job[]>;
  provideToken(provider: Provider, token: string, options: { clientId: string }): void;
  cancelWaiting(provider: Provider, clientId: string): void;
  resetMetadataCache(): Promise<void>;
  onJob(listener: (job: Job) => void): () => void;
  onAuthRequired(listener: (request: TokenRequest & { clientId?: string }) => void): () => void;
}

export interface TuiAppProps {
  depot: TuiDepot;
  /** Shown in the title line: the workflow file or the repository. */
  title: string;
  /** Identifies this UI to the depot, so token requests for its jobs come back here. */
  clientId: string;
  env: { NO_COLOR?: string };
}

/** Lines around the table: title, header, total, two detail lines, help (three with the token prompt), notice. */
const CHROME_LINES = 9;

export function TuiApp({ depot, title, clientId, env }: TuiAppProps) {
  const { exit } = useApp();
  const [state, dispatch] = useReducer(tuiReducer, undefined, initialTuiState);
  const size = useTerminalSize();
  const [scroll, setScroll] = useState(0);
  const palettes = palettesFor(env);
  const palette = palettes[state.paletteIndex % palettes.length] ?? palettes[0];
  const notice = (text: string | undefined) => dispatch({ type: 'notice', text });
  const failed = (what: string) => failureNotice(dispatch, what);

  const recheck = useCallback(() => {
    dispatch({ type: 'checking', active: true });
    return depot.check().then(
      (result) => dispatch({ type: 'checked', result, labels: depot.labels }),
      (error: unknown) => {
        dispatch({ type: 'checking', active: false });
        failureNotice(dispatch, 'Check')(error);
      },
    );
  }, [depot]);

  useEffect(() => {
    void recheck();
    const offJob = depot.onJob((job) => dispatch({ type: 'job', job }));
    const offAuth = depot.onAuthRequired((request) => {
      if (request.clientId === undefined || request.clientId === clientId) dispatch({ type: 'tokenRequest', request });
    });
    return () => {
      offJob();
      offAuth();
    };
  }, [depot, clientId, recheck]);

  const visible = visibleRows(state);
  const tableHeight = Math.max(3, size.rows - CHROME_LINES);
  // Keep the cursor inside the window of rows that fits the terminal.
  const top = Math.min(Math.max(scroll, state.cursor - tableHeight + 1), state.cursor);
  useEffect(() => {
    if (top !== scroll) setScroll(top);
  }, [top, scroll]);

  const startDownloads = () => {
    const chosen = visible.filter((row) => row.selected && !row.job).map((row) => row.item.requirement);
    if (chosen.length === 0) return notice('Nothing selected: Enter toggles a row, a selects all.');
    notice(undefined);
    depot.install(chosen, { clientId }).then((jobs) => {
      for (const job of jobs) dispatch({ type: 'job', job });
    }, failed('Install'));
  };

  useInput(
    (input, key) => {
      const command = keyCommand(input, key, {
        top,
        tableHeight,
        paletteCount: palettes.length,
      });
      switch (command.kind) {
        case 'state':
          for (const action of command.actions) dispatch(action);
          return;
        case 'quit':
          return exit();
        case 'download':
          return startDownloads();
        case 'resetCache':
          return void depot.resetMetadataCache().then(() => {
            notice('Metadata cache cleared; checking again.');
            return recheck();
          }, failed('Reset'));
      }
    },
    { isActive: state.tokenRequest === undefined },
  );

  const current = visible[state.cursor];
  const status = current ? rowStatus(current) : undefined;
  const width = size.columns;
  const { tokenRequest } = state;

  return (
    <Box flexDirection="column" width={width}>
      <Text bold color={palette.accent}>
        {fitText(
          `model-depot · ${title} · ${state.missingOnly ? 'missing only' : 'all models'}${state.checking ? ' · checking…' : ''}`,
          width,
        )}
      </Text>
      <ModelTable rows={visible} cursor={state.cursor} top={top} height={tableHeight} width={width} palette={palette} />
      <TotalLine rows={state.rows} width={width} />
      <Text dimColor={palette.dim}>
        {fitText(
          current
            ? (current.label?.detail ?? current.item.targetPath)
            : state.checking
              ? 'Checking… (Esc quits)'
              : 'No models to show.',
          width,
          'end',
        )}
      </Text>
      <Text color={status ? palette.tones[status.tone] : undefined}>
        {fitText(status?.detail ?? ' ', width, 'end')}
      </Text>
      {tokenRequest ? (
        <TokenPrompt
          request={tokenRequest}
          width={width}
          onSubmit={(token) => {
            const provider = tokenRequest.provider;
            dispatch({ type: 'tokenRequest', request: undefined });
            depot.provideToken(provider, token, { clientId });
          }}
          onCancel={() => {
            const provider = tokenRequest.provider;
            dispatch({ type: 'tokenRequest', request: undefined });
            depot.cancelWaiting(provider, clientId);
          }}
        />
      ) : (
        <Text dimColor={palette.dim}>
          {fitText(
            '↑↓ move  Enter select  d download  a all  u none  s missing/all  r reset cache  p palette  Esc quit',
            width,
          )}
        </Text>
      )}
      <Text>{fitText(state.notice ?? ' ', width)}</Text>
    </Box>
  );
}

/** A rejection handler that shows what failed in the notice line. */
function failureNotice(dispatch: (action: TuiAction) => void, what: string): (error: unknown) => void {
  return (error) => {
    dispatch({ type: 'notice', text: `${what} failed: ${error instanceof Error ? error.message : String(error)}` });
  };
}
