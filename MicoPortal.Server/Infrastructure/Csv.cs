using System.Globalization;
using nietras.SeparatedValues;

namespace MicoPortal.Server.Infrastructure;

/// <summary>
/// CSV as the portal writes it (the exports, the sandbox's transaction log): comma separated, a value
/// quoted only when it holds a comma, quote or line break (RFC 4180), numbers and times in the
/// invariant culture. Sep does the quoting; what is ours is the spreadsheet rule in <see cref="SetText"/>.
/// </summary>
public static class Csv
{
    private static readonly SepWriterOptions Format = Sep.New(',').Writer(o => o with
    {
        WriteHeader = true,
        Escape = true,
        CultureInfo = CultureInfo.InvariantCulture,
    });

    /// <summary>
    /// A writer with these columns (set by name: <c>using var row = csv.NewRow(); row["id"].Format(id);</c>);
    /// the header line goes out before the first row, or on disposal when there is none.
    /// </summary>
    public static SepWriter Writer(TextWriter to, IReadOnlyList<string> columns)
    {
        var writer = Format.To(to, leaveOpen: true);
        writer.Header.Add(columns);
        return writer;
    }

    /// <summary>
    /// <see cref="Writer"/> for a response body, which takes no synchronous writes: the header is written
    /// now, and rows are <c>await using var row = csv.NewRow(cancellationToken)</c>, the writer disposed with <c>await</c>.
    /// </summary>
    public static async ValueTask<SepWriter> WriterAsync(TextWriter to, IReadOnlyList<string> columns, CancellationToken cancellationToken)
    {
        var writer = Writer(to, columns);
        await writer.Header.WriteAsync(cancellationToken);
        return writer;
    }

    /// <summary>
    /// Text that came from a shop, a provider or a person, for a file someone opens in a spreadsheet:
    /// a value starting with <c>= + - @</c>, a tab or a carriage return is prefixed with <c>'</c> so the
    /// spreadsheet shows it instead of running it as a formula. Numbers and times written by the
    /// portal itself do not go through here (a negative amount stays a number).
    /// </summary>
    public static void SetText(this SepWriter.Col col, string? value)
    {
        if (value is [('=' or '+' or '-' or '@' or '\t' or '\r'), ..])
        {
            col.Set($"'{value}");
        }
        else
        {
            col.Set(value);
        }
    }
}
