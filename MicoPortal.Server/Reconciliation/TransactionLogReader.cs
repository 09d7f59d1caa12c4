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
/// quotes and line breaks) one row at a time, so a file of any length is read in constant memory. A
/// record (with the lines of its quoted fields) is at most <see cref="MaxRecordChars"/> characters: a
/// real row is about a hundred, and a file without line breaks must not be read into memory whole.
/// </summary>
public static class TransactionLogReader
{
    public const string Header = "clientRef,providerRef,status,serial,quantity,amount,currency,updatedAt";

    /// <summary>Longest record read (64 Ki characters); a longer one fails the run (<see cref="InvalidDataException"/>).</summary>
    public const int MaxRecordChars = 64 * 1024;

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

    /// <summary>Reads every data row; throws <see cref="InvalidDataException"/> when the header is wrong or a record too long.</summary>
    public static async IAsyncEnumerable<LedgerRow> ReadAsync(TextReader textReader, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var reader = new BoundedLineReader(textReader, MaxRecordChars);
        var header = await reader.ReadLineAsync(1, cancellationToken);
        if (CheckHeader(header) is { } problem)
        {
            throw new InvalidDataException(problem);
        }

        long line = 1;
        while (await ReadRecordAsync(reader, line + 1, cancellationToken) is { } record)
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
    private static async Task<(string Text, int Lines)?> ReadRecordAsync(BoundedLineReader reader, long line, CancellationToken cancellationToken)
    {
        var first = await reader.ReadLineAsync(line, cancellationToken);
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
        while (HasOpenQuote(record) && lines < 100 && await reader.ReadLineAsync(line, cancellationToken, MaxRecordChars - record.Length - 1) is { } next)
        {
            record.Append('\n').Append(next);
            lines++;
        }

        return (record.ToString(), lines);
    }

    /// <summary>
    /// <see cref="TextReader.ReadLineAsync()"/> with a ceiling: line breaks are <c>\n</c>, <c>\r\n</c> or <c>\r</c>
    /// as there, but a line longer than the limit throws instead of growing without bound.
    /// </summary>
    private sealed class BoundedLineReader(TextReader reader, int maxChars)
    {
        private readonly char[] _buffer = new char[16 * 1024];
        private readonly StringBuilder _line = new();
        private int _start;
        private int _end;
        private bool _eof;

        /// <summary>The next line, or null at the end; <paramref name="line"/> names the record in the error.</summary>
        public async ValueTask<string?> ReadLineAsync(long line, CancellationToken cancellationToken, int? limit = null)
        {
            var max = Math.Max(0, limit ?? maxChars);
            _line.Clear();
            var any = false;
            while (true)
            {
                if (_start == _end && !await FillAsync(cancellationToken))
                {
                    return any ? _line.ToString() : null;
                }

                any = true;
                var span = _buffer.AsSpan(_start, _end - _start);
                var breakAt = span.IndexOfAny('\r', '\n');
                var take = breakAt < 0 ? span.Length : breakAt;
                if (_line.Length + take > max)
                {
                    throw new InvalidDataException(
                        $"line {line}: the record is longer than {MaxRecordChars} characters (a transaction log row is about a hundred); is this the provider's CSV log?");
                }

                _line.Append(span[..take]);
                if (breakAt < 0)
                {
                    _start = _end;
                    continue;
                }

                _start += breakAt + 1;
                if (span[breakAt] == '\r' && (_start < _end || await FillAsync(cancellationToken)) && _buffer[_start] == '\n')
                {
                    _start++;
                }

                return _line.ToString();
            }
        }

        private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
        {
            if (_eof)
            {
                return false;
            }

            _start = 0;
            _end = await reader.ReadAsync(_buffer.AsMemory(), cancellationToken);
            _eof = _end == 0;
            return !_eof;
        }
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
