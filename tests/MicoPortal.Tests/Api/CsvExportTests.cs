using MicoPortal.Server.Infrastructure;
using MicoPortal.Shared.Orders;
using MicoPortal.Tests.Infrastructure;

namespace MicoPortal.Tests.Api;

/// <summary>
/// The CSV exports read back with a CSV library: every value arrives whole (commas, quotes, line
/// breaks), and one that a spreadsheet would run as a formula arrives with a leading <c>'</c>.
/// </summary>
public class CsvExportTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "a,b")]
    [InlineData("say \"hi\"", "say \"hi\"")]
    [InlineData("line 1\nline 2\r\nline 3", "line 1\nline 2\r\nline 3")]
    [InlineData("=1+2", "'=1+2")]
    [InlineData("+1", "'+1")]
    [InlineData("-2", "'-2")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tx", "'\tx")]
    [InlineData("\rx", "'\rx")]
    [InlineData("=HYPERLINK(\"http://x\",\"a,b\")", "'=HYPERLINK(\"http://x\",\"a,b\")")]
    [InlineData("a=b", "a=b")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public async Task Text_is_written_so_that_it_reads_back_whole_and_never_as_a_formula(string? value, string readBack)
    {
        var text = new StringWriter();
        await using (var csv = await Csv.WriterAsync(text, ["before", "value", "after"], CancellationToken.None))
        {
            await using var row = csv.NewRow(CancellationToken.None);
            row["before"].Set("1");
            row["value"].SetText(value);
            row["after"].Set("2");
        }

        var read = Assert.Single(CsvFiles.Read(text.ToString()));
        Assert.Equal(readBack, read["value"]);
        Assert.Equal("2", read["after"]);
    }

    [Fact]
    public async Task The_orders_export_reads_back_whole_with_formula_looking_values_defused()
    {
        // Written straight to the database: the export must be safe whatever got into a field.
        var externalId = $"=cmd|' /C calc'!A0 {Guid.NewGuid():N}";
        var message = "provider said: \"no\", twice\nsecond line, " + new string('x', 5_000);
        var id = await fixture.Factory.WithDbAsync(async db =>
        {
            var order = TestOrders.Received(externalId, DateTimeOffset.UtcNow);
            order.Status = OrderStatus.Failed;
            order.NextCheckAt = null;
            order.CompletedAt = DateTimeOffset.UtcNow;
            order.ProviderRef = "@SUM(1,2)";
            order.ReasonCode = "-1";
            order.ReasonMessage = message;
            db.Orders.Add(order);
            await db.SaveChangesAsync();
            return order.Id;
        });
        var (admin, _) = await fixture.Factory.SignInAsync(PortalClient.Admin);

        var csv = await admin.GetStringAsync($"/api/v1/orders/export?externalId={Uri.EscapeDataString(externalId)}");

        var row = Assert.Single(CsvFiles.Read(csv));
        Assert.Equal(id.ToString(System.Globalization.CultureInfo.InvariantCulture), row["id"]);
        Assert.Equal("'" + externalId, row["externalId"]);
        Assert.Equal("'@SUM(1,2)", row["providerRef"]);
        Assert.Equal("'-1", row["reasonCode"]);
        Assert.Equal(message, row["reasonMessage"]);
        Assert.Equal("Failed", row["status"]);
        Assert.Equal("4.99", row["amount"]);
    }
}
