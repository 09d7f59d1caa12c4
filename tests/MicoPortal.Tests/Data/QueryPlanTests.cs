using MicoPortal.Server.Data;
using MicoPortal.Server.Incidents;
using MicoPortal.Server.Orders;
using MicoPortal.Server.Verification;
using MicoPortal.Shared.Orders;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace MicoPortal.Tests.Data;

/// <summary>
/// The dashboard stays fast at millions of orders only if SQLite uses the indexes meant for it.
/// A partial index is used only when the query's WHERE contains the index's WHERE, so these tests
/// ask SQLite for the plan of the very SQL that EF Core generates.
/// </summary>
public sealed class QueryPlanTests : IAsyncLifetime
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"micoportal-plan-{Guid.NewGuid():N}.db");
    private PortalDbContext _db = null!;

    public async Task InitializeAsync()
    {
        _db = new PortalDbContext(new DbContextOptionsBuilder<PortalDbContext>().UseSqlite($"Data Source={_path};Pooling=False").Options);
        await _db.Database.MigrateAsync();
    }

    public async Task DisposeAsync()
    {
        await _db.DisposeAsync();
        File.Delete(_path);
    }

    private async Task<string> PlanAsync(IQueryable query)
    {
        // ToQueryString gives ".param set @p 50" lines, then the SQL.
        var lines = query.ToQueryString().Split('\n');
        await using var connection = new SqliteConnection($"Data Source={_path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + string.Join('\n', lines.Where(l => !l.StartsWith(".param", StringComparison.Ordinal)));
        foreach (var parameter in lines.Where(l => l.StartsWith(".param set ", StringComparison.Ordinal)).Select(l => l.Split(' ', 4)))
        {
            command.Parameters.AddWithValue(parameter[2], parameter[3].Trim().Trim('\''));
        }

        var plan = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            plan.Add(reader.GetString(3));
        }

        return string.Join(" | ", plan);
    }

    [Fact]
    public async Task The_failed_deliveries_page_reads_the_attention_index_not_the_table()
    {
        var page = OrderQueries.Filter(_db.Orders, new OrderListQuery(Attention: true)).OrderByDescending(o => o.UpdatedAt).Take(50);

        var plan = await PlanAsync(page);

        Assert.Contains("USING INDEX IX_Orders_Attention", plan);
        Assert.DoesNotContain("TEMP B-TREE", plan);
    }

    [Theory]
    [InlineData(true, false, "IX_Orders_Stuck")]
    [InlineData(false, true, "IX_Orders_Disputed")]
    public async Task Flagged_orders_are_read_from_their_partial_index(bool stuck, bool disputed, string index)
    {
        var query = OrderQueries.Filter(_db.Orders, new OrderListQuery(Stuck: stuck ? true : null, Disputed: disputed ? true : null)).Select(o => o.Id);

        Assert.Contains(index, await PlanAsync(query));
    }

    [Fact]
    public async Task The_incident_monitors_counts_per_slice_read_only_their_partial_indexes()
    {
        var unknown = await PlanAsync(IncidentMonitor.UnknownBySlice(_db));
        var stuck = await PlanAsync(IncidentMonitor.StuckBySlice(_db));

        Assert.Contains("USING COVERING INDEX IX_Orders_Unknown", unknown);
        Assert.DoesNotContain("TEMP B-TREE", unknown);
        // A bare boolean is no equality to SQLite, so it groups the covering entries in a temporary tree (a few slices).
        Assert.Contains("USING COVERING INDEX IX_Orders_Stuck", stuck);
    }

    [Fact]
    public async Task The_summarys_stuck_count_reads_the_stuck_index()
    {
        var plan = await PlanAsync(_db.Orders.Where(o => o.Stuck).Select(o => o.Id));

        Assert.Contains("IX_Orders_Stuck", plan);
    }

    [Theory]
    [InlineData(true, OrderClaims.DispatchIndex)]
    [InlineData(false, OrderClaims.WorkQueueIndex)]
    public async Task Sweeps_claim_due_orders_from_the_queue_index_without_sorting(bool dispatch, string index)
    {
        var plan = await PlanAsync(OrderClaims.DueIds(_db, dispatch, DateTimeOffset.UnixEpoch, 500));

        Assert.Contains($"USING INDEX {index}", plan);
        Assert.DoesNotContain("TEMP B-TREE", plan);
    }
}
