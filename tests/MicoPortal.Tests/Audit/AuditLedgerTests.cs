using System.Net.Http.Json;
using MicoPortal.Server.Audit;
using MicoPortal.Shared.Audit;
using MicoPortal.Shared.Common;
using MicoPortal.Shared.Orders;
using MicoPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace MicoPortal.Tests.Audit;

/// <summary>
/// The audit ledger on the real server: transitions and operator actions are chained, and editing,
/// deleting, reordering or cutting rows directly in the database is found by verification.
/// </summary>
public sealed class AuditLedgerTests(ITestOutputHelper output) : IAsyncLifetime
{
    // A checkpoint at every sealing round, so the test knows where the last one is.
    private readonly PortalFactory _portal = new(PortalFactory.NewDataDirectory(), new Dictionary<string, string?> { ["Audit:CheckpointInterval"] = "00:00:00" }, output);

    public Task InitializeAsync()
    {
        _portal.StartServer();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task Transitions_and_operator_actions_are_chained_and_verify()
    {
        var (admin, _) = await _portal.SignInAsync(PortalClient.Admin);
        var failed = await DeliverOrdersAsync(4, failing: 1);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, (await admin.PostAsync($"/api/v1/orders/{failed}/reverify", null)).StatusCode);
        await SealAllAsync();

        var result = await admin.GetFromJsonAsync<AuditVerification>("/api/v1/audit/verify", PortalClient.Json);
        var entries = await admin.GetFromJsonAsync<PagedResult<AuditEntryDto>>($"/api/v1/audit/entries?orderId={failed}", PortalClient.Json);
        output.WriteLine($"verified {result!.Entries} entries, {result.Pending} pending");

        Assert.True(result.Valid);
        Assert.Null(result.FirstBrokenEntry);
        Assert.True(result.Entries >= 5, "at least one step per order and the re-verify");
        Assert.Contains(entries!.Items, e => e.Action == AuditActions.OrderReverify && e.Actor == PortalClient.Admin);
        Assert.Contains(entries.Items, e => e.Action == AuditActions.OrderTransition && e.Details.Contains("→ Failed", StringComparison.Ordinal));
        Assert.All(entries.Items, e => Assert.Matches("^[0-9a-f]{64}$", e.Hash!));
    }

    public static TheoryData<string, string> Tampering() => new()
    {
        { "edit", "was altered" },
        { "delete", "is missing" },
        { "reorder", "does not follow" },
        { "insert", "does not follow" },
        { "truncate", "removed from the end" },
    };

    [Theory]
    [MemberData(nameof(Tampering))]
    public async Task Tampering_with_ledger_rows_in_the_database_is_detected(string tampering, string reason)
    {
        var (admin, _) = await _portal.SignInAsync(PortalClient.Admin);
        await DeliverOrdersAsync(4, failing: 0);
        await SealAllAsync();
        var before = await admin.GetFromJsonAsync<AuditVerification>("/api/v1/audit/verify", PortalClient.Json);
        Assert.True(before!.Valid);
        Assert.True(before.Checkpoints >= 1, "the sealer writes a checkpoint of the head");
        var last = before.Entries;
        Assert.True(last >= 6);

        await _portal.WithDbAsync(db => tampering switch
        {
            "edit" => db.Database.ExecuteSqlRawAsync("UPDATE AuditEntries SET Details = 'Delivered → Failed: nothing to see' WHERE Sequence = 3"),
            "delete" => db.Database.ExecuteSqlRawAsync("DELETE FROM AuditEntries WHERE Sequence = 3"),
            // Swap two entries' places in the chain, keeping each one's own hashes.
            "reorder" => db.Database.ExecuteSqlRawAsync("UPDATE AuditEntries SET Sequence = -1 WHERE Sequence = 3; UPDATE AuditEntries SET Sequence = 3 WHERE Sequence = 4; UPDATE AuditEntries SET Sequence = 4 WHERE Sequence = -1;"),
            // A forged entry slotted in with a self-consistent hash of its own, later ones renumbered.
            "insert" => ForgeEntryAsync(db, 3),
            // Cut off the newest entries, including the checkpoint's.
            _ => db.Database.ExecuteSqlAsync($"DELETE FROM AuditEntries WHERE Sequence >= {last - 1}"),
        });
        var after = await admin.GetFromJsonAsync<AuditVerification>("/api/v1/audit/verify", PortalClient.Json);
        output.WriteLine($"{tampering}: valid={after!.Valid}, broken at {after.FirstBrokenEntry?.Sequence}: {after.FirstBrokenEntry?.Reason}");

        Assert.False(after.Valid);
        Assert.NotNull(after.FirstBrokenEntry);
        Assert.Contains(reason, after.FirstBrokenEntry!.Reason, StringComparison.Ordinal);
        // A forged entry links correctly to the one before it; the break shows at the next one.
        Assert.Equal(tampering switch { "truncate" => last - 1, "insert" => 4, _ => 3 }, after.FirstBrokenEntry.Sequence);
    }

    [Fact]
    public async Task A_checkpoint_kept_outside_the_database_catches_a_rewritten_chain()
    {
        var (admin, _) = await _portal.SignInAsync(PortalClient.Admin);
        await DeliverOrdersAsync(3, failing: 0);
        await SealAllAsync();
        var head = await _portal.WithDbAsync(db => db.AuditEntries.Where(e => e.Sequence != null).OrderByDescending(e => e.Sequence).FirstAsync());

        var matching = await admin.GetFromJsonAsync<AuditVerification>($"/api/v1/audit/verify?sequence={head.Sequence}&hash={head.Hash}", PortalClient.Json);
        var rewritten = await admin.GetFromJsonAsync<AuditVerification>($"/api/v1/audit/verify?sequence={head.Sequence}&hash={new string('a', 64)}", PortalClient.Json);
        var beyond = await admin.GetFromJsonAsync<AuditVerification>($"/api/v1/audit/verify?sequence={head.Sequence + 50}&hash={head.Hash}", PortalClient.Json);

        Assert.True(matching!.Valid);
        Assert.False(rewritten!.Valid);
        Assert.Equal(head.Sequence, rewritten.FirstBrokenEntry!.Sequence);
        Assert.False(beyond!.Valid);
        Assert.Contains("removed from the end", beyond.FirstBrokenEntry!.Reason, StringComparison.Ordinal);
    }

    /// <summary>Inserts a forged entry at <paramref name="at"/> with a correct-looking hash of its own and renumbers the rest.</summary>
    private static async Task<int> ForgeEntryAsync(Server.Data.PortalDbContext db, long at)
    {
        await db.Database.ExecuteSqlAsync($"UPDATE AuditEntries SET Sequence = -Sequence WHERE Sequence >= {at}");
        await db.Database.ExecuteSqlAsync($"UPDATE AuditEntries SET Sequence = -Sequence + 1 WHERE Sequence < 0");
        var previous = await db.AuditEntries.Where(e => e.Sequence == at - 1).Select(e => e.Hash).SingleAsync();
        var forged = AuditTrail.New("intruder", AuditActions.OrderRetryDelivery, "forged", 1, DateTimeOffset.UtcNow);
        forged.Sequence = at;
        forged.PreviousHash = previous;
        db.AuditEntries.Add(forged);
        await db.SaveChangesAsync();
        forged.Hash = AuditChain.HashOf(forged, at, previous!);
        return await db.SaveChangesAsync();
    }

    /// <summary>Places orders (the last <paramref name="failing"/> fail, scenario 91) and waits until all are final; returns a failed one's id, or 0.</summary>
    private async Task<long> DeliverOrdersAsync(int count, int failing)
    {
        var shop = _portal.ShopClient();
        long failedId = 0;
        for (var i = 0; i < count; i++)
        {
            var order = await (await shop.PostAsJsonAsync("/api/v1/orders", PortalClient.NewOrder(micoUserId: i >= count - failing ? "44400091" : "44400010"))).ReadAsync<OrderDto>();
            failedId = i >= count - failing ? order.Id : failedId;
        }

        Assert.True(await PortalClient.EventuallyAsync(() => _portal.WithDbAsync(db =>
            db.Orders.AllAsync(o => o.Status == OrderStatus.Delivered || o.Status == OrderStatus.Failed)), TimeSpan.FromSeconds(30)));
        return failedId;
    }

    /// <summary>Seals everything written so far and writes a checkpoint, as the recurring job does.</summary>
    private async Task SealAllAsync()
    {
        // The pipeline keeps working while the test seals (a queued re-verification can write an entry just
        // after a seal, seen once in CI): seal until a seal leaves nothing behind.
        var sealer = _portal.Services.GetRequiredService<AuditSealer>();
        Assert.True(await PortalClient.EventuallyAsync(async () =>
        {
            await sealer.SealPendingAsync(CancellationToken.None);
            return await _portal.WithDbAsync(db => db.AuditEntries.CountAsync(e => e.Sequence == null)) == 0;
        }, TimeSpan.FromSeconds(15)), "a seal should leave no entry unsealed once the pipeline is quiet");
    }
}
