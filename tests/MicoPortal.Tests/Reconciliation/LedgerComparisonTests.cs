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

    private static async Task<List<LedgerRow>> ReadAllAsync(string csv)
    {
        var rows = new List<LedgerRow>();
        await foreach (var row in TransactionLogReader.ReadAsync(new StringReader(csv), CancellationToken.None))
        {
            rows.Add(row);
        }

        return rows;
    }
}
