using MicoPortal.Server.Audit;
using MicoPortal.Server.Auth;
using MicoPortal.Server.Incidents;
using MicoPortal.Server.Metrics;
using MicoPortal.Server.Notifications;
using MicoPortal.Server.Orders;
using MicoPortal.Server.Reconciliation;
using MicoPortal.Server.Verification;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace MicoPortal.Server.Data;

/// <summary>The portal's one database context. Entity shapes live in <c>EntityConfigurations/</c>.</summary>
public sealed class PortalDbContext(DbContextOptions<PortalDbContext> options) : IdentityDbContext<PortalUser>(options)
{
    public DbSet<Order> Orders => Set<Order>();

    public DbSet<OrderAttempt> OrderAttempts => Set<OrderAttempt>();

    public DbSet<ProcessedCallback> ProcessedCallbacks => Set<ProcessedCallback>();

    public DbSet<MetricsMinute> MetricsMinutes => Set<MetricsMinute>();

    public DbSet<ShopApiKey> ShopApiKeys => Set<ShopApiKey>();

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    public DbSet<AuditCheckpoint> AuditCheckpoints => Set<AuditCheckpoint>();

    public DbSet<ReconciliationRun> ReconciliationRuns => Set<ReconciliationRun>();

    public DbSet<ReconciliationItem> ReconciliationItems => Set<ReconciliationItem>();

    public DbSet<Incident> Incidents => Set<Incident>();

    public DbSet<Providers.ProviderState> ProviderStates => Set<Providers.ProviderState>();

    public DbSet<Providers.ProviderBalanceSample> ProviderBalanceSamples => Set<Providers.ProviderBalanceSample>();

    public DbSet<CustomerNotification> CustomerNotifications => Set<CustomerNotification>();

    public DbSet<SandboxSmsMessage> SandboxSmsMessages => Set<SandboxSmsMessage>();

    public DbSet<OrderNote> OrderNotes => Set<OrderNote>();

    public DbSet<OrderResolution> OrderResolutions => Set<OrderResolution>();

    public DbSet<Webhooks.ShopWebhook> ShopWebhooks => Set<Webhooks.ShopWebhook>();

    public DbSet<Webhooks.WebhookDelivery> WebhookDeliveries => Set<Webhooks.WebhookDelivery>();

    public DbSet<Webhooks.WebhookAttempt> WebhookAttempts => Set<Webhooks.WebhookAttempt>();

    /// <summary>
    /// Three migrations sets live in this one assembly; each provider must see only its own, however
    /// the context was configured: <see cref="DataExtensions.UsePortalDatabase"/> (server, <c>dotnet ef</c>)
    /// does it up front, which pooling requires; this covers options built elsewhere (tests, benchmarks).
    /// </summary>
    protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
    {
        var replaced = optionsBuilder.Options.FindExtension<CoreOptionsExtension>()?.ReplacedServices;
        if (replaced is null || !replaced.Keys.Any(k => k.Item1 == typeof(IMigrationsAssembly)))
        {
            optionsBuilder.ReplaceService<IMigrationsAssembly, ProviderMigrationsAssembly>();
        }
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder); // Identity tables
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(PortalDbContext).Assembly);
        // Configurations are written once, in SQLite's SQL (which PostgreSQL shares); SQL Server needs its own.
        if (Database.PortalProvider() == DatabaseProvider.SqlServer)
        {
            SqlServerModel.Adapt(modelBuilder);
        }
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Times are stored as unix milliseconds: sortable and comparable in SQLite (which has no
        // DateTimeOffset type) and identical on SQL Server.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UnixMillisecondsConverter>();
        configurationBuilder.Properties<decimal>().HavePrecision(18, 4);
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        RenewConcurrencyTokens();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        RenewConcurrencyTokens();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    /// <summary>Every write of an order gets a new token, so a concurrent writer holding the old one fails.</summary>
    private void RenewConcurrencyTokens()
    {
        foreach (var entry in ChangeTracker.Entries<Order>())
        {
            if (entry.State is EntityState.Added or EntityState.Modified)
            {
                entry.Entity.Version = Guid.NewGuid();
            }
        }
    }

    private sealed class UnixMillisecondsConverter() : ValueConverter<DateTimeOffset, long>(
        v => v.ToUnixTimeMilliseconds(),
        v => DateTimeOffset.FromUnixTimeMilliseconds(v));
}
