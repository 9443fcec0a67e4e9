/**
 * What every capture-analysis engine provides. An engine turns one capture into Zeek-format
 * log files (one JSON object per line, Zeek's field names, `_path` optional) in an output
 * folder; the importer reads them like any other Zeek logs, so nothing after this point depends on
 * which engine ran.
 */
export type EngineName = 'zeek' | 'tshark';

export interface EngineRunOptions {
  /** Capture to analyse (pcap or pcapng, possibly gzip-compressed). */
  capturePath: string;
  /** Empty folder the engine writes its logs into (`engine/<run-id>/` in the case). */
  outputDir: string;
  signal: AbortSignal;
  /** Called with bytes of the capture file read so far and its size, at least once a second. */
  onProgress?: (bytesRead: number, bytesTotal: number) => void;
  /** Ends a hung engine after this many milliseconds. */
  timeoutMs?: number;
  /** Accept packets with bad checksums (Zeek's -C); captures from offloading NICs need it. */
  allowBadChecksums: boolean;
}

export interface EngineRunResult {
  /** Program and arguments exactly as started. */
  commandLine: string[];
  exitCode: number;
  stderr: string;
  /** Problems that did not stop the run (truncated last packet, unknown link type, ...). */
  warnings: string[];
  /** Paths of the log files written into outputDir. */
  logFiles: string[];
  /**
   * Set when the program exited with an error after writing logs the engine still judges
   * usable (tshark stopping at a capture cut off mid-packet), so the run imports them with
   * a warning instead of failing.
   */
  partial?: boolean;
}

export interface Engine {
  readonly name: EngineName;
  /** Path of the program this engine runs. */
  readonly executable: string;
  /** Version text of the program, e.g. "tshark 4.0.17". */
  version(): Promise<string>;
  run(options: EngineRunOptions): Promise<EngineRunResult>;
}
