using MicoPortal.Server.Reconciliation;
using MicoPortal.Shared.Orders;

namespace MicoPortal.Tests.Reconciliation;

public class LedgerComparisonTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static OrderSnapshot Order(OrderStatus status, int attemptNo = 1, DateTimeOffset? completedAt = null) =>
        new(42, attemptNo, status, 500, 4.99m, "USD", completedAt ?? (status.IsFinal() ? T0 : null));

    private static LedgerRow Row(string status, string clientRef = "42-1", int quantity = 500, decimal amount = 4.99m, string currency = "USD", DateTimeOffset? updatedAt = null) =>
        new(2, clientRef, "P-1", status, status == "SUCCESS" ? "SN-1" : null, quantity, amount, currency, updatedAt ?? T0);

    [Theory]
    [InlineData("SUCCESS", OrderStatus.Delivered, true)]
    [InlineData("FAILED", OrderStatus.Failed, true)]
    [InlineData("REVERSED", OrderStatus.Reversed, true)]
    [InlineData("PENDING", OrderStatus.Submitted, true)]
    [InlineData("PENDING", OrderStatus.Unknown, true)]
    [InlineData("SUCCESS", OrderStatus.Failed, false)]
    [InlineData("FAILED", OrderStatus.Delivered, false)]
    [InlineData("REVERSED", OrderStatus.Delivered, false)]
    [InlineData("SUCCESS", OrderStatus.Reversed, false)]
    [InlineData("SUCCESS", OrderStatus.Submitted, false)]
    public void Statuses_agree_only_when_they_mean_the_same(string logStatus, OrderStatus portalStatus, bool agrees)
    {
        var verdict = LedgerComparison.Compare(Order(portalStatus), 1, Row(logStatus, updatedAt: T0.AddSeconds(1)));

        Assert.Equal(agrees, verdict.StatusProblem is null);
        Assert.Null(verdict.AmountProblem);
        Assert.Equal(agrees && portalStatus == OrderStatus.Delivered, verdict.Confirms);
    }

    [Fact]
    public void A_pending_row_older_than_the_finish_agrees_and_a_newer_one_does_not()
    {
        var delivered = Order(OrderStatus.Delivered, completedAt: T0);

        Assert.True(LedgerComparison.Compare(delivered, 1, Row("PENDING", updatedAt: T0.AddSeconds(-3))).Matched);
        Assert.False(LedgerComparison.Compare(delivered, 1, Row("PENDING", updatedAt: T0.AddSeconds(3))).Matched);
    }

    [Theory]
    [InlineData(501, "4.99", "USD", "quantity 501")]
    [InlineData(500, "5.00", "USD", "above the limit")]
    [InlineData(500, "4.99", "EUR", "currency EUR")]
    public void Quantity_amount_above_the_limit_and_currency_are_amount_mismatches(int quantity, string amount, string currency, string expected)
    {
        var verdict = LedgerComparison.Compare(Order(OrderStatus.Delivered), 1, Row("SUCCESS", quantity: quantity, amount: decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), currency: currency));

        Assert.Null(verdict.StatusProblem);
        Assert.Contains(expected, verdict.AmountProblem, StringComparison.Ordinal);
        Assert.False(verdict.Confirms);
    }

    [Fact]
    public void A_cheaper_charge_than_the_limit_is_fine()
    {
        Assert.True(LedgerComparison.Compare(Order(OrderStatus.Delivered), 1, Row("SUCCESS", amount: 3.50m)).Confirms);
    }

    [Theory]
    [InlineData("FAILED", true)]
    [InlineData("SUCCESS", false)]
    [InlineData("PENDING", false)]
    public void An_earlier_attempt_of_a_retried_order_may_only_have_failed(string status, bool agrees)
    {
        var verdict = LedgerComparison.Compare(Order(OrderStatus.Delivered, attemptNo: 2), 1, Row(status));

        Assert.Equal(agrees, verdict.Matched);
        Assert.False(verdict.Confirms);
    }
}

public class TransactionLogReaderTests
{
    [Fact]
    public async Task Quoted_fields_with_commas_quotes_and_line_breaks_are_read_as_one_row()
    {
        const string csv = "clientRef,providerRef,status,serial,quantity,amount,currency,updatedAt\r\n"
            + "7-1,\"P,7\",success,\"SN \"\"7\"\"\nsecond line\",500,4.99,usd,2026-11-25T12:00:00.123Z\r\n"
            + "\r\n"
            + "8-2,P8,FAILED,,1,0.99,USD,2026-11-25T12:00:01Z\r\n";

        var rows = await ReadAllAsync(csv);

        Assert.Equal(2, rows.Count);
        Assert.Equal(new LedgerRow(2, "7-1", "P,7", "SUCCESS", "SN \"7\"\nsecond line", 500, 4.99m, "USD", new DateTimeOffset(2026, 11, 25, 12, 0, 0, 123, TimeSpan.Zero)), rows[0]);
        Assert.Equal(5, rows[1].Line);
        Assert.Null(rows[1].Serial);
        Assert.Null(rows[1].Error);
    }

    [Theory]
    [InlineData("id,status\n1,ok\n")]
    [InlineData("")]
    [InlineData("clientRef,providerRef,status,serial,quantity,amount,currency\n")]
    public async Task A_file_without_the_contract_header_is_refused(string csv)
    {
        await Assert.ThrowsAsync<InvalidDataException>(() => ReadAllAsync(csv));
    }

    [Fact]
    public void The_header_may_differ_in_case_spaces_and_a_byte_order_mark()
    {
        Assert.Null(TransactionLogReader.CheckHeader("\uFEFFClientRef, ProviderRef,STATUS,serial,quantity,amount,currency,updatedAt"));
    }

    [Fact]
    public async Task Every_bad_value_of_a_row_is_named()
    {
        var rows = await ReadAllAsync("clientRef,providerRef,status,serial,quantity,amount,currency,updatedAt\n1-1,P,DONE,,x,1.2.3,USD,yesterday\n");

        var error = Assert.Single(rows).Error;
        Assert.Contains("status 'DONE'", error, StringComparison.Ordinal);
        Assert.Contains("quantity 'x'", error, StringComparison.Ordinal);
        Assert.Contains("amount '1.2.3'", error, StringComparison.Ordinal);
        Assert.Contains("updatedAt 'yesterday'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_quoted_field_of_more_than_a_hundred_lines_is_one_record()
    {
        var serial = string.Join('\n', Enumerable.Range(1, 150).Select(i => $"part {i}"));
        var csv = TransactionLogReader.Header + "\n"
            + $"7-1,P7,SUCCESS,\"{serial}\",500,4.99,USD,2026-11-25T12:00:00Z\n"
            + "8-2,P8,FAILED,,1,0.99,USD,2026-11-25T12:00:01Z\n";

        var rows = await ReadAllAsync(csv);

        Assert.Equal(2, rows.Count);
        Assert.Null(rows[0].Error);
        Assert.StartsWith("part 1\npart 2\n", rows[0].Serial, StringComparison.Ordinal);
        Assert.Equal(152, rows[1].Line); // the record took lines 2 to 151
        Assert.Equal("8-2", rows[1].ClientRef);
        Assert.Null(rows[1].Error);
    }

    [Fact]
    public async Task A_record_longer_than_the_bound_fails_naming_its_line()
    {
        var csv = TransactionLogReader.Header + "\n"
            + "1-1,P1,SUCCESS,S1,500,4.99,USD,2026-12-01T09:00:00Z\n"
            + new string('x', TransactionLogReader.MaxRecordChars + 1) + ",P2,SUCCESS,S2,500,4.99,USD,2026-12-01T09:00:00Z\n";

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ReadAllAsync(csv));

        Assert.Contains("line 3:", error.Message, StringComparison.Ordinal);
        Assert.Contains("65536", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1-1,P1,SUCCESS,", "x")] // no line break at all
    [InlineData("1-1,\"P1,", "x\n")] // a quote never closed: every line after it belongs to the record
    public async Task An_endless_record_fails_after_the_bound_without_reading_on(string start, string repeated)
    {
        var log = new EndlessLog(TransactionLogReader.Header + "\n" + start, repeated);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ReadAllAsync(log));

        Assert.Contains("line 2:", error.Message, StringComparison.Ordinal);
        Assert.True(log.CharsRead < 4 * TransactionLogReader.MaxRecordChars, $"read {log.CharsRead} characters before giving up");
    }

    [Theory]
    [InlineData("clientRef,providerRef,status,serial,quantity,amount,currency")]
    [InlineData("clientRef,providerRef,status,serial,quantity,amount,currency,updatedAt,extra")]
    [InlineData("providerRef,clientRef,status,serial,quantity,amount,currency,updatedAt")]
    [InlineData("clientRef;providerRef;status;serial;quantity;amount;currency;updatedAt")]
    [InlineData("1-1,P1,SUCCESS,S1,500,4.99,USD,2026-12-01T09:00:00Z")]
    [InlineData("   ")]
    [InlineData("")]
    [InlineData(null)]
    public void A_wrong_header_is_refused(string? firstLine)
    {
        Assert.NotNull(TransactionLogReader.CheckHeader(firstLine));
    }

    [Fact]
    public void A_header_with_quoted_names_is_the_header()
    {
        Assert.Null(TransactionLogReader.CheckHeader("\"clientRef\",\"providerRef\",status,serial,quantity,amount,currency,\"updatedAt\""));
    }

    [Fact]
    public async Task Bad_rows_are_reported_with_their_line_and_the_rows_around_them_are_read()
    {
        var rows = await ReadAllAsync(TransactionLogReader.Header + "\n"
            + "1-1,P1,SUCCESS,\"S\n1\",500,4.99,USD,2026-12-01T09:00:00Z\n"
            + "2-1,P2,SUCCESS,S2,five,4.99,USD,2026-12-01T09:00:01Z\n"
            + "3-1,P3,DELIVERED,S3,500,4.99,USD,2026-12-01T09:00:02Z\n"
            + "4-1,P4,SUCCESS\n"
            + "5-1,P5,pending,,500,4.99,usd,2026-12-01T09:00:03Z\n");

        Assert.Equal([2L, 4, 5, 6, 7], rows.Select(r => r.Line));
        Assert.Null(rows[0].Error);
        Assert.Equal("line 4: quantity 'five' is not a whole number", rows[1].Error);
        Assert.Equal("line 5: status 'DELIVERED' is not PENDING, SUCCESS, FAILED or REVERSED", rows[2].Error);
        Assert.Equal("DELIVERED", rows[2].Status);
        Assert.Equal("line 6: 3 fields, expected 8", rows[3].Error);
        Assert.Equal("4-1", rows[3].ClientRef);
        Assert.Null(rows[4].Error);
        Assert.Equal(("PENDING", "USD", (int?)500), (rows[4].Status, rows[4].Currency, rows[4].Quantity));
    }

    [Fact]
    public void The_order_id_set_holds_sparse_and_dense_ids()
    {
        var set = new OrderIdSet();
        foreach (var id in new long[] { 1, 2, 65_535, 65_536, 10_000_000_000 })
        {
            set.Add(id);
        }

        Assert.True(set.Contains(65_536));
        Assert.True(set.Contains(10_000_000_000));
        Assert.False(set.Contains(3));
        Assert.False(set.Contains(10_000_000_001));
    }

    private static Task<List<LedgerRow>> ReadAllAsync(string csv) => ReadAllAsync(new StringReader(csv));

    private static async Task<List<LedgerRow>> ReadAllAsync(TextReader log)
    {
        var rows = new List<LedgerRow>();
        await foreach (var row in TransactionLogReader.ReadAsync(log, CancellationToken.None))
        {
            rows.Add(row);
        }

        return rows;
    }
}

/// <summary>A log that never ends: <c>start</c>, then <c>repeated</c> for ever; counts what was taken from it.</summary>
internal sealed class EndlessLog(string start, string repeated) : TextReader
{
    public long CharsRead { get; private set; }

    public override int Read(Span<char> buffer)
    {
        for (var i = 0; i < buffer.Length; i++, CharsRead++)
        {
            buffer[i] = CharsRead < start.Length ? start[(int)CharsRead] : repeated[(int)((CharsRead - start.Length) % repeated.Length)];
        }

        return buffer.Length;
    }

    public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

    public override ValueTask<int> ReadAsync(Memory<char> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));
}
