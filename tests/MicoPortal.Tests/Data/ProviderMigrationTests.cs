using MicoPortal.Server.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Xunit.Abstractions;

namespace MicoPortal.Tests.Data;

/// <summary>
/// Each provider has its own migrations set. SQL Server cannot run on the build machines, so its
/// migrations are checked by generating their idempotent script (no server needed): it must create
/// the tables and the queue's filtered indexes in SQL Server's own SQL.
/// </summary>
public class ProviderMigrationTests(ITestOutputHelper output)
{
    private static PortalDbContext Context(DatabaseProvider provider)
    {
        var options = new DbContextOptionsBuilder<PortalDbContext>();
        options.UsePortalDatabase(provider, provider switch
        {
            DatabaseProvider.SqlServer => "Server=localhost;Database=MicoPortal;Integrated Security=true;TrustServerCertificate=true",
            DatabaseProvider.PostgreSql => "Host=localhost;Database=micoportal;Username=micoportal",
            _ => "Data Source=:memory:",
        });
        return new PortalDbContext(options.Options);
    }

    /// <summary>A model change needs a migration in every set (README: "Adding a migration").</summary>
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.SqlServer)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public void Every_provider_has_migrations_for_the_whole_model(DatabaseProvider provider)
    {
        using var db = Context(provider);
        var migrations = db.Database.GetMigrations().ToList();
        output.WriteLine($"{provider}: {string.Join(", ", migrations)}");
        Assert.NotEmpty(migrations);
        Assert.False(db.Database.HasPendingModelChanges(),
            $"The {provider} migrations do not match the model: add a migration to Data/Migrations/{provider} (README, Adding a migration).");
    }

    [Fact]
    public void The_migrations_sets_do_not_see_each_other()
    {
        using var sqlite = Context(DatabaseProvider.Sqlite);
        using var sqlServer = Context(DatabaseProvider.SqlServer);
        using var postgres = Context(DatabaseProvider.PostgreSql);
        var sets = new[] { sqlite, sqlServer, postgres }.Select(db => db.Database.GetMigrations().ToHashSet()).ToList();
        Assert.Empty(sets[0].Intersect(sets[1]));
        Assert.Empty(sets[0].Intersect(sets[2]));
        Assert.Empty(sets[1].Intersect(sets[2]));
    }

    [Fact]
    public void SQL_Server_migrations_generate_an_idempotent_script_with_the_tables_and_indexes()
    {
        using var db = Context(DatabaseProvider.SqlServer);
        var script = db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);
        var path = Path.Combine(AppContext.BaseDirectory, "sqlserver-migrations.sql");
        File.WriteAllText(path, script);
        output.WriteLine($"SQL Server idempotent script: {script.Split('\n').Length} lines, {script.Length} characters, written to {path}");

        Assert.Contains("IF OBJECT_ID(N'[__EFMigrationsHistory]') IS NULL", script, StringComparison.Ordinal);
        Assert.Contains("IF NOT EXISTS (", script, StringComparison.Ordinal);
        foreach (var table in new[] { "Orders", "OrderAttempts", "ProcessedCallbacks", "MetricsMinutes", "ShopApiKeys", "AspNetUsers", "AspNetRoles" })
        {
            Assert.Contains($"CREATE TABLE [{table}]", script, StringComparison.Ordinal);
        }

        // The concurrency token and idempotency key, and the queue's filtered indexes in T-SQL.
        Assert.Contains("[Version] uniqueidentifier NOT NULL", script, StringComparison.Ordinal);
        Assert.Contains("COLLATE Latin1_General_100_BIN2", script, StringComparison.Ordinal);
        Assert.Contains("CREATE UNIQUE INDEX [IX_Orders_ExternalId_Shop] ON [Orders] ([ExternalId], [Shop])", script, StringComparison.Ordinal);
        Assert.Contains("CREATE INDEX [IX_Orders_Dispatch] ON [Orders] ([NextCheckAt]) WHERE [Status] = ''Received'' AND [CreateIssuedAt] IS NULL", script, StringComparison.Ordinal);
        Assert.Contains("CREATE INDEX [IX_Orders_NextCheckAt] ON [Orders] ([NextCheckAt]) WHERE [NextCheckAt] IS NOT NULL", script, StringComparison.Ordinal);
        Assert.Contains("CREATE INDEX [IX_Orders_Stuck] ON [Orders] ([Stuck]) WHERE [Stuck] = 1", script, StringComparison.Ordinal);
        Assert.Contains("CREATE INDEX [IX_Orders_Disputed] ON [Orders] ([Disputed]) WHERE [Disputed] = 1", script, StringComparison.Ordinal);
        Assert.Contains("CREATE INDEX [IX_Orders_Stuck] ON [Orders] ([Stuck], [Sku], [Region]) WHERE [Stuck] = 1", script, StringComparison.Ordinal);
        Assert.Contains("CREATE INDEX [IX_Orders_Unknown] ON [Orders] ([Status], [Sku], [Region]) WHERE [Status] = ''Unknown''", script, StringComparison.Ordinal);
        Assert.Contains("CREATE INDEX [IX_Orders_Attention] ON [Orders] ([UpdatedAt])", script, StringComparison.Ordinal);
        // Nothing of SQLite's dialect leaks in.
        Assert.DoesNotContain("\"Stuck\"", script, StringComparison.Ordinal);
        Assert.DoesNotContain("INTEGER PRIMARY KEY", script, StringComparison.Ordinal);
    }

    [Fact]
    public void PostgreSQL_migrations_generate_an_idempotent_script_with_the_partial_indexes()
    {
        using var db = Context(DatabaseProvider.PostgreSql);
        var script = db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);
        Assert.Contains("CREATE TABLE \"Orders\"", script, StringComparison.Ordinal);
        Assert.Contains("\"Version\" uuid NOT NULL", script, StringComparison.Ordinal);
        Assert.Contains("WHERE \"Status\" = 'Received' AND \"CreateIssuedAt\" IS NULL", script, StringComparison.Ordinal);
    }
}
