using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using MicoPortal.Server.Providers;

namespace MicoPortal.Server.Reconciliation;

/// <summary>One row of the provider's transaction log as read; <see cref="Error"/> says why it cannot be used.</summary>
public sealed record LedgerRow(
    long Line,
    string ClientRef,
    string? ProviderRef,
    string? Status,
    string? Serial,
    int? Quantity,
    decimal? Amount,
    string? Currency,
    DateTimeOffset? UpdatedAt,
    string? Error = null);

/// <summary>
/// Streams the transaction log CSV of docs/api.md section 7 (RFC 4180: quoted fields may hold commas,
/// quotes and line breaks) one row at a time, so a file of any length is read in constant memory.
/// </summary>
public static class TransactionLogReader
{
    public const string Header = "clientRef,providerRef,status,serial,quantity,amount,currency,updatedAt";

    private static readonly string[] Columns = Header.Split(',');

    private static readonly HashSet<string> Statuses = new(StringComparer.Ordinal)
    {
        ProviderStatuses.Pending, ProviderStatuses.Success, ProviderStatuses.Failed, ProviderStatuses.Reversed,
    };

    /// <summary>Null when the first line is the expected header (any letter case, spaces and a BOM allowed); otherwise why not.</summary>
    public static string? CheckHeader(string? firstLine)
    {
        if (string.IsNullOrWhiteSpace(firstLine))
        {
            return $"The file is empty; the first line must be the header '{Header}'.";
        }

        var names = SplitLine(firstLine.TrimStart('\uFEFF')).Select(n => n.Trim()).ToList();
        return names.Count == Columns.Length && names.Zip(Columns).All(p => string.Equals(p.First, p.Second, StringComparison.OrdinalIgnoreCase))
            ? null
            : $"The first line must be the header '{Header}'.";
    }

    /// <summary>Reads every data row; throws <see cref="InvalidDataException"/> when the header is wrong.</summary>
    public static async IAsyncEnumerable<LedgerRow> ReadAsync(TextReader reader, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var header = await reader.ReadLineAsync(cancellationToken);
        if (CheckHeader(header) is { } problem)
        {
            throw new InvalidDataException(problem);
        }

        long line = 1;
        while (await ReadRecordAsync(reader, cancellationToken) is { } record)
        {
            line += record.Lines;
            if (record.Text.Length == 0)
            {
                continue; // blank line, e.g. the file's trailing newline
            }

            yield return Parse(line - record.Lines + 1, SplitLine(record.Text));
        }
    }

    public static LedgerRow Parse(long line, IReadOnlyList<string> fields)
    {
        if (fields.Count != Columns.Length)
        {
            return new LedgerRow(line, fields.Count > 0 ? Clip(fields[0]) : "", null, null, null, null, null, null, null,
                $"line {line}: {fields.Count} fields, expected {Columns.Length}");
        }

        var clientRef = Clip(fields[0].Trim());
        var status = fields[2].Trim().ToUpperInvariant();
        List<string>? errors = null;
        if (clientRef.Length == 0)
        {
            (errors ??= []).Add("clientRef is empty");
        }

        if (!Statuses.Contains(status))
        {
            (errors ??= []).Add($"status '{Clip(fields[2], 20)}' is not PENDING, SUCCESS, FAILED or REVERSED");
        }

        int? quantity = int.TryParse(fields[4].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var q) ? q : null;
        if (quantity is null)
        {
            (errors ??= []).Add($"quantity '{Clip(fields[4], 20)}' is not a whole number");
        }

        decimal? amount = decimal.TryParse(fields[5].Trim(), NumberStyles.Number, CultureInfo.InvariantCulture, out var a) ? a : null;
        if (amount is null)
        {
            (errors ??= []).Add($"amount '{Clip(fields[5], 20)}' is not a decimal number");
        }

        DateTimeOffset? updatedAt = DateTimeOffset.TryParse(fields[7].Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var u) ? u : null;
        if (updatedAt is null)
        {
            (errors ??= []).Add($"updatedAt '{Clip(fields[7], 40)}' is not an ISO 8601 time");
        }

        return new LedgerRow(line, clientRef, Empty(fields[1]), Statuses.Contains(status) ? status : Clip(status, 32), Empty(fields[3]),
            quantity, amount, Empty(fields[6])?.ToUpperInvariant(), updatedAt,
            errors is null ? null : $"line {line}: {string.Join("; ", errors)}");
    }

    /// <summary>Splits one CSV record into fields, undoing RFC 4180 quoting.</summary>
    public static List<string> SplitLine(string text)
    {
        var fields = new List<string>(Columns.Length);
        if (!text.Contains('"'))
        {
            // The usual row: no quoting, so each field is a plain slice (a million rows go through here).
            var start = 0;
            int comma;
            while ((comma = text.IndexOf(',', start)) >= 0)
            {
                fields.Add(text[start..comma]);
                start = comma + 1;
            }

            fields.Add(text[start..]);
            return fields;
        }

        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return fields;
    }

    /// <summary>One record: a line, or several when a quoted field holds line breaks.</summary>
    private static async Task<(string Text, int Lines)?> ReadRecordAsync(TextReader reader, CancellationToken cancellationToken)
    {
        var first = await reader.ReadLineAsync(cancellationToken);
        if (first is null)
        {
            return null;
        }

        if (!HasOpenQuote(first))
        {
            return (first, 1);
        }

        var record = new StringBuilder(first);
        var lines = 1;
        while (HasOpenQuote(record) && lines < 100 && await reader.ReadLineAsync(cancellationToken) is { } next)
        {
            record.Append('\n').Append(next);
            lines++;
        }

        return (record.ToString(), lines);
    }

    private static bool HasOpenQuote(string text) => text.Count(c => c == '"') % 2 == 1;

    private static bool HasOpenQuote(StringBuilder text)
    {
        var quotes = 0;
        foreach (var chunk in text.GetChunks())
        {
            quotes += chunk.Span.Count('"');
        }

        return quotes % 2 == 1;
    }

    private static string? Empty(string value) => string.IsNullOrWhiteSpace(value) ? null : Clip(value.Trim());

    private static string Clip(string value, int max = 128) => value.Length <= max ? value : value[..max];
}
