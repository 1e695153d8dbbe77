/**
 * The WanGP downloader's config.json as its README prints it: the four keys it knows, nothing else. model-depot
 * reads it as it is, with `--config FILE` (or `tui --config-file FILE`).
 */
export function wanGpDownloaderConfig(ckpts: string, hubDirectory = ''): string {
  return `${JSON.stringify(
    {
      _comment: 'Settings of the WanGP model downloader. Set wan2gp_directory to the ckpts folder of Wan2GP.',
      hub_directory: hubDirectory,
      bandwidth_limit_kb: 90000,
      wan2gp_directory: ckpts,
    },
    null,
    4,
  )}\n`;
}
