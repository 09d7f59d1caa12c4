using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace MicoPortal.Server.Data;

public static class DataExtensions
{
    /// <summary>Registers <see cref="PortalDbContext"/> (pooled factory and scoped context) on the configured database.</summary>
    public static IServiceCollection AddPortalDatabase(this IServiceCollection services)
    {
        // Resolved when first used, so configuration added late (tests, hosting) is honoured.
        services.AddPooledDbContextFactory<PortalDbContext>((sp, db) =>
        {
            var configuration = sp.GetRequiredService<IConfiguration>();
            var options = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
            if (!string.Equals(options.Provider, "Sqlite", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"Database:Provider '{options.Provider}' is not supported yet; use 'Sqlite'.");
            }

            var connectionString = configuration.GetConnectionString("Portal") ?? options.ConnectionString
                ?? DefaultSqliteConnectionString(configuration, sp.GetRequiredService<IHostEnvironment>());
            db.UseSqlite(connectionString, sqlite => sqlite.MigrationsAssembly(typeof(PortalDbContext).Assembly.FullName))
                .AddInterceptors(new SqlitePragmas());
        });
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext());
        return services;
    }

    /// <summary>Applies pending migrations; called once at start-up before anything else touches the database.</summary>
    public static async Task MigratePortalDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(cancellationToken);
        await db.Database.MigrateAsync(cancellationToken);
    }

    private static string DefaultSqliteConnectionString(IConfiguration configuration, IHostEnvironment environment)
    {
        var directory = configuration["DataDirectory"];
        directory = string.IsNullOrWhiteSpace(directory)
            ? Path.Combine(environment.ContentRootPath, "data")
            : Path.GetFullPath(directory, environment.ContentRootPath);
        Directory.CreateDirectory(directory);
        return new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(directory, "micoportal.db"),
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    /// <summary>
    /// WAL lets dashboards read while sweeps write; synchronous=NORMAL is durable across process
    /// crashes in WAL mode; the busy timeout makes concurrent writers wait instead of failing.
    /// </summary>
    private sealed class SqlitePragmas : DbConnectionInterceptor
    {
        private const string Pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000; PRAGMA foreign_keys=ON;";

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
        {
            using var command = connection.CreateCommand();
            command.CommandText = Pragmas;
            command.ExecuteNonQuery();
        }

        public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = Pragmas;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
