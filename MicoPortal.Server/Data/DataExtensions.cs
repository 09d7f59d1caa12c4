using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

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
            var options = DatabaseOptions.From(configuration);
            var connectionString = options.ConfiguredConnectionString(configuration);
            if (options.Provider == DatabaseProvider.Sqlite)
            {
                connectionString ??= DefaultSqliteConnectionString(configuration, sp.GetRequiredService<IHostEnvironment>());
            }
            else if (connectionString is null)
            {
                throw new InvalidOperationException(
                    $"Database:Provider is {options.Provider}: set ConnectionStrings:Portal (environment variable ConnectionStrings__Portal).");
            }

            db.UsePortalDatabase(options.Provider, connectionString);
        });
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext());
        services.AddSingleton<WriteGate>();
        return services;
    }

    /// <summary>
    /// Configures one provider and the migrations set that belongs to it. Shared by the server, the
    /// design-time factory (<c>dotnet ef</c>) and tests, so all three see the same model.
    /// </summary>
    public static DbContextOptionsBuilder UsePortalDatabase(this DbContextOptionsBuilder db, DatabaseProvider provider, string connectionString)
    {
        var migrationsAssembly = typeof(PortalDbContext).Assembly.FullName;
        switch (provider)
        {
            case DatabaseProvider.Sqlite:
                db.UseSqlite(connectionString, o => o.MigrationsAssembly(migrationsAssembly)).AddInterceptors(new SqlitePragmas());
                break;
            case DatabaseProvider.SqlServer:
                // No retrying execution strategy: intake and transitions open their own transactions,
                // which it does not allow; a failed sweep round is retried by the sweep itself.
                db.UseSqlServer(connectionString, o => o.MigrationsAssembly(migrationsAssembly));
                break;
            case DatabaseProvider.PostgreSql:
                db.UseNpgsql(connectionString, o => o.MigrationsAssembly(migrationsAssembly));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(provider), provider, "Unknown database provider.");
        }

        // Three migrations sets live in this one assembly; each provider sees only its own.
        return db.ReplaceService<IMigrationsAssembly, ProviderMigrationsAssembly>();
    }

    /// <summary>The provider behind a context, for the few hot paths that have SQL of their own per provider.</summary>
    public static DatabaseProvider PortalProvider(this DatabaseFacade database) => ProviderOf(database.ProviderName);

    public static DatabaseProvider ProviderOf(string? efProviderName) => efProviderName switch
    {
        "Microsoft.EntityFrameworkCore.Sqlite" => DatabaseProvider.Sqlite,
        "Microsoft.EntityFrameworkCore.SqlServer" => DatabaseProvider.SqlServer,
        "Npgsql.EntityFrameworkCore.PostgreSQL" => DatabaseProvider.PostgreSql,
        _ => throw new NotSupportedException($"EF Core provider '{efProviderName}' is not one of the portal's."),
    };

    /// <summary>
    /// Applies pending migrations; called once at start-up before anything else touches the database.
    /// On SQL Server and PostgreSQL, EF Core takes a database-wide migration lock, so several
    /// instances starting at once apply each migration once.
    /// </summary>
    public static async Task MigratePortalDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(cancellationToken);
        await db.Database.MigrateAsync(cancellationToken);
    }

    /// <summary>The <c>DataDirectory</c> setting (default <c>data</c> under the content root), created if missing unless <paramref name="create"/> is false.</summary>
    public static string DataDirectoryOf(IConfiguration configuration, IHostEnvironment environment, bool create = true)
    {
        var directory = configuration["DataDirectory"];
        directory = string.IsNullOrWhiteSpace(directory)
            ? Path.Combine(environment.ContentRootPath, "data")
            : Path.GetFullPath(directory, environment.ContentRootPath);
        if (create)
        {
            Directory.CreateDirectory(directory);
        }

        return directory;
    }

    private static string DefaultSqliteConnectionString(IConfiguration configuration, IHostEnvironment environment)
    {
        var directory = DataDirectoryOf(configuration, environment);
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
