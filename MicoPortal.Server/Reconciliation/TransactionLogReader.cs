using System.Globalization;
using System.Runtime.CompilerServices;
using MicoPortal.Server.Providers;
using nietras.SeparatedValues;

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
/// quotes and line breaks) one row at a time with Sep, so a file of any length is read in constant memory.
/// A record (with the lines of its quoted fields) is at most <see cref="MaxRecordChars"/> characters: a
/// real row is about a hundred, and a file without line breaks must not be read into memory whole.
/// A bad row is returned with its <see cref="LedgerRow.Error"/>; only a wrong header or an overlong record fails the file.
/// </summary>
public static class TransactionLogReader
{
    public const string Header = "clientRef,providerRef,status,serial,quantity,amount,currency,updatedAt";

    /// <summary>Longest record read (64 Ki characters); a longer one fails the run (<see cref="InvalidDataException"/>).</summary>
    public const int MaxRecordChars = 64 * 1024;

    /// <summary>The header's column names, in order.</summary>
    public static readonly IReadOnlyList<string> Columns = Header.Split(',');

    private static readonly string[] Statuses =
    [
        ProviderStatuses.Pending, ProviderStatuses.Success, ProviderStatuses.Failed, ProviderStatuses.Reversed,
    ];

    // Rows are taken as they come (no column count check) so that a short or long row is reported, not fatal.
    // Sep trims spaces around and inside the quotes and undoes the quoting; the values are checked here.
    private static readonly SepReaderOptions Format = Sep.New(',').Reader(o => o with
    {
        HasHeader = false,
        DisableColCountCheck = true,
        Unescape = true,
        Trim = SepTrim.All,
    });

    /// <summary>Null when the first line is the expected header (any letter case, spaces and a BOM allowed); otherwise why not.</summary>
    public static string? CheckHeader(string? firstLine)
    {
        using var reader = Format.FromText(firstLine ?? "");
        return reader.MoveNext() ? CheckHeader(reader.Current) : EmptyFile;
    }

    /// <summary>Reads every data row; throws <see cref="InvalidDataException"/> when the header is wrong or a record too long.</summary>
    public static async IAsyncEnumerable<LedgerRow> ReadAsync(TextReader textReader, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = await Format.FromAsync(new RecordLengthGuard(textReader, MaxRecordChars), cancellationToken);
        if (!await reader.MoveNextAsync(cancellationToken))
        {
            throw new InvalidDataException(EmptyFile);
        }

        if (CheckHeader(reader.Current) is { } problem)
        {
            throw new InvalidDataException(problem);
        }

        while (await reader.MoveNextAsync(cancellationToken))
        {
            if (reader.Current.Span.IsEmpty)
            {
                continue; // blank line, e.g. the file's trailing newline
            }

            var row = Parse(reader.Current);
            yield return row;
        }
    }

    private static string EmptyFile => $"The file is empty; the first line must be the header '{Header}'.";

    private static string? CheckHeader(SepReader.Row first)
    {
        if (first.Span.IsWhiteSpace())
        {
            return EmptyFile;
        }

        if (first.ColCount != Columns.Count)
        {
            return WrongHeader();
        }

        for (var i = 0; i < Columns.Count; i++)
        {
            if (!first[i].Span.TrimStart('\uFEFF').Trim().Equals(Columns[i], StringComparison.OrdinalIgnoreCase))
            {
                return WrongHeader();
            }
        }

        return null;

        static string WrongHeader() => $"The first line must be the header '{Header}'.";
    }

    private static LedgerRow Parse(SepReader.Row fields)
    {
        long line = fields.LineNumberFrom;
        if (fields.ColCount != Columns.Count)
        {
            return new LedgerRow(line, Clip(fields[0].Span), null, null, null, null, null, null, null,
                $"line {line}: {fields.ColCount} fields, expected {Columns.Count}");
        }

        var clientRef = Clip(fields[0].Span.Trim());
        var rawStatus = fields[2].Span;
        var status = KnownStatus(rawStatus.Trim());
        List<string>? errors = null;
        if (clientRef.Length == 0)
        {
            (errors ??= []).Add("clientRef is empty");
        }

        if (status is null)
        {
            (errors ??= []).Add($"status '{Clip(rawStatus, 20)}' is not PENDING, SUCCESS, FAILED or REVERSED");
        }

        var rawQuantity = fields[4].Span;
        int? quantity = int.TryParse(rawQuantity.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var q) ? q : null;
        if (quantity is null)
        {
            (errors ??= []).Add($"quantity '{Clip(rawQuantity, 20)}' is not a whole number");
        }

        var rawAmount = fields[5].Span;
        decimal? amount = decimal.TryParse(rawAmount.Trim(), NumberStyles.Number, CultureInfo.InvariantCulture, out var a) ? a : null;
        if (amount is null)
        {
            (errors ??= []).Add($"amount '{Clip(rawAmount, 20)}' is not a decimal number");
        }

        var rawUpdatedAt = fields[7].Span;
        DateTimeOffset? updatedAt = DateTimeOffset.TryParse(rawUpdatedAt.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var u) ? u : null;
        if (updatedAt is null)
        {
            (errors ??= []).Add($"updatedAt '{Clip(rawUpdatedAt, 40)}' is not an ISO 8601 time");
        }

        return new LedgerRow(line, clientRef, Empty(fields[1].Span), status ?? Clip(rawStatus.Trim(), 32).ToUpperInvariant(), Empty(fields[3].Span),
            quantity, amount, Empty(fields[6].Span)?.ToUpperInvariant(), updatedAt,
            errors is null ? null : $"line {line}: {string.Join("; ", errors)}");
    }

    /// <summary>The status in the contract's words (upper case), or null when it is none of them.</summary>
    private static string? KnownStatus(ReadOnlySpan<char> value)
    {
        foreach (var status in Statuses)
        {
            if (value.Equals(status, StringComparison.OrdinalIgnoreCase))
            {
                return status;
            }
        }

        return null;
    }

    private static string? Empty(ReadOnlySpan<char> value) => value.IsWhiteSpace() ? null : Clip(value.Trim());

    private static string Clip(ReadOnlySpan<char> value, int max = 128) => new(value.Length <= max ? value : value[..max]);

    /// <summary>
    /// Passes the log through unchanged and fails as soon as one record (the line breaks inside its quotes
    /// included) is longer than the bound. Sep itself would grow its buffer to 16 Mi characters before giving
    /// up, so without this a file with no line breaks, or with a quote never closed, would cost tens of MB.
    /// Quotes are only counted: an escaped quote (<c>""</c>) opens and closes, as in Sep.
    /// </summary>
    private sealed class RecordLengthGuard(TextReader log, int maxChars) : TextReader
    {
        private long _lines;            // line breaks passed, outside and inside quotes
        private long _recordStartLine = 1;
        private int _recordChars;
        private bool _quoted;
        private bool _afterCarriageReturn;

        public override int Read(Span<char> buffer)
        {
            var read = log.Read(buffer);
            Check(buffer[..read]);
            return read;
        }

        public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

        public override int Read()
        {
            Span<char> one = stackalloc char[1];
            return Read(one) == 0 ? -1 : one[0];
        }

        public override int Peek() => log.Peek();

        public override async ValueTask<int> ReadAsync(Memory<char> buffer, CancellationToken cancellationToken = default)
        {
            var read = await log.ReadAsync(buffer, cancellationToken);
            Check(buffer.Span[..read]);
            return read;
        }

        public override Task<int> ReadAsync(char[] buffer, int index, int count) => ReadAsync(buffer.AsMemory(index, count)).AsTask();

        private void Check(ReadOnlySpan<char> chars)
        {
            while (!chars.IsEmpty)
            {
                var at = chars.IndexOfAny('"', '\r', '\n');
                var plain = at < 0 ? chars.Length : at;
                if (plain > 0)
                {
                    _afterCarriageReturn = false;
                    Grow(plain);
                }

                if (at < 0)
                {
                    return;
                }

                var c = chars[at];
                chars = chars[(at + 1)..];
                if (c == '"')
                {
                    _quoted = !_quoted;
                    _afterCarriageReturn = false;
                    Grow(1);
                    continue;
                }

                // \r\n is one line break, as are a lone \r and a lone \n.
                if (!(c == '\n' && _afterCarriageReturn))
                {
                    _lines++;
                }

                _afterCarriageReturn = c == '\r';
                if (_quoted)
                {
                    Grow(1);
                }
                else
                {
                    _recordChars = 0;
                    _recordStartLine = _lines + 1;
                }
            }
        }

        private void Grow(int chars)
        {
            _recordChars += chars;
            if (_recordChars > maxChars)
            {
                throw new InvalidDataException(
                    $"line {_recordStartLine}: the record is longer than {maxChars} characters (a transaction log row is about a hundred; "
                    + "is a quote left open?); is this the provider's CSV log?");
            }
        }
    }
}
