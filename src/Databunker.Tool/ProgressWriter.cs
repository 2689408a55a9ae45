using System.Globalization;
using Databunker.Core;
using Databunker.Core.PostgreSql;

namespace Databunker.Tool;

/// <summary>
/// Shows a long job's progress: a bar redrawn in place on a terminal, a plain line per report otherwise (a log, a
/// pipe), so that neither gets the other's form. Reports arrive on the job's thread and are written at once.
/// </summary>
internal sealed class ProgressWriter(TextWriter output, bool terminal) : IProgress<KeyRotationProgress>, IProgress<VaultCopyProgress>, IProgress<Scan.ScanProgress>, IProgress<ImportProgress>
{
    private const int Width = 30;
    private bool _drawn;

    public void Report(KeyRotationProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var total = value.Rewrapped + value.Remaining;
        Show(value.Rewrapped, total, string.Create(CultureInfo.InvariantCulture, $"re-wrapped {value.Rewrapped}, {value.Remaining} remaining"));
    }

    public void Report(VaultCopyProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Show(value.TablesCopied, value.Tables, string.Create(CultureInfo.InvariantCulture, $"copied {value.Table}: {value.TablesCopied} of {value.Tables} tables, {value.RowsCopied} rows"));
    }

    public void Report(Scan.ScanProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Show(value.TablesDone, value.Tables, string.Create(CultureInfo.InvariantCulture, $"scanned {value.Table}: {value.TablesDone} of {value.Tables} tables, {value.RowsRead} rows read"));
    }

    public void Report(ImportProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var changed = value.Stage == "verified" ? "the same" : value.Stage == "imported" ? "created" : "changed";
        Show(value.Done, value.Total, string.Create(CultureInfo.InvariantCulture, $"{value.Stage} {value.Rows} rows, {changed} {value.Changed}"));
    }

    private void Show(long done, long total, string line)
    {
        // A source that grew since it was counted reads past its total: the bar stays full.
        var share = total <= 0 ? 1.0 : Math.Clamp((double)done / total, 0, 1);
        if (terminal)
        {
            var filled = (int)Math.Round(share * Width);
            output.Write(string.Create(CultureInfo.InvariantCulture, $"\r[{new string('#', filled)}{new string('-', Width - filled)}] {share,4:P0} {done}/{total}"));
            _drawn = true;
        }
        else
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{line} ({share:P0})"));
        }
    }

    /// <summary>Ends the bar's line, if one was drawn.</summary>
    public void Finish()
    {
        if (_drawn)
        {
            output.WriteLine();
        }
    }
}
