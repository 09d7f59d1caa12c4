using Hangfire;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.SqlServer;
using MicoPortal.Server.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.SignalR;
using StackExchange.Redis;

namespace MicoPortal.Server.Infrastructure;

/// <summary>Section <c>Redis</c>: the SignalR backplane that lets several portal instances push to every dashboard.</summary>
public sealed class RedisOptions
{
    public const string Section = "Redis";

    /// <summary>StackExchange.Redis configuration string (<c>redis:6379,password=...</c>); unset means one instance, no backplane.</summary>
    public string? Connection { get; set; }

    /// <summary>Channel prefix, so several portals (or environments) can share one Redis.</summary>
    public string ChannelPrefix { get; set; } = "micoportal";

    public bool Enabled => !string.IsNullOrWhiteSpace(Connection);
}

/// <summary>What changes when more than one portal instance runs: shared job storage and the SignalR backplane.</summary>
public static class ScaleOut
{
    /// <summary>
    /// Hangfire's storage follows the database. SQLite (one machine) keeps the in-memory storage: every
    /// durable fact is in our tables, and the sweeps are recurring, so a restart loses nothing. SQL Server
    /// and PostgreSQL use durable storage in the same database, which several instances share: each
    /// recurring sweep is then enqueued once per second for all of them, and the leases keep the
    /// sweeps' orders apart whichever instance runs them.
    /// </summary>
    public static JobStorage CreateJobStorage(IConfiguration configuration)
    {
        var database = DatabaseOptions.From(configuration);
        var connectionString = database.ConfiguredConnectionString(configuration);
        switch (database.Provider)
        {
            case DatabaseProvider.SqlServer:
                return new SqlServerStorage(connectionString, new SqlServerStorageOptions
                {
                    // Hangfire's recommended settings for 1.8: sliding invisibility (a killed instance's job is
                    // picked up again after 5 minutes, not 30), and no polling delay on the queue.
                    CommandBatchMaxTimeout = TimeSpan.FromMinutes(5),
                    SlidingInvisibilityTimeout = TimeSpan.FromMinutes(5),
                    QueuePollInterval = TimeSpan.Zero,
                    UseRecommendedIsolationLevel = true,
                    DisableGlobalLocks = true,
                    SchemaName = "hangfire",
                });
            case DatabaseProvider.PostgreSql:
                var options = new PostgreSqlStorageOptions
                {
                    SchemaName = "hangfire",
                    // Sweeps are enqueued every second; the default 15 s poll would leave them waiting.
                    QueuePollInterval = TimeSpan.FromSeconds(1),
                    // Locks are rows here, not sessions: a killed instance's lock (say, the recurring
                    // scheduler's) would otherwise stop the others from scheduling sweeps for 10 minutes.
                    DistributedLockTimeout = TimeSpan.FromSeconds(15),
                    PrepareSchemaIfNecessary = true,
                };
                return new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString!, options), options);
            default:
                return new InMemoryStorage(new InMemoryStorageOptions { MaxExpirationTime = TimeSpan.FromMinutes(30) });
        }
    }

    /// <summary>
    /// Sign-in cookies and antiforgery tokens are encrypted with data-protection keys. Each instance
    /// makes its own by default, so a cookie issued by one is rejected by the next behind a load
    /// balancer; <c>DataProtection:KeysDirectory</c> (a volume all instances mount) shares them.
    /// </summary>
    public static IServiceCollection AddPortalDataProtection(this IServiceCollection services, IConfiguration configuration)
    {
        var keysDirectory = configuration["DataProtection:KeysDirectory"];
        if (!string.IsNullOrWhiteSpace(keysDirectory))
        {
            services.AddDataProtection()
                .SetApplicationName("MicoPortal")
                .PersistKeysToFileSystem(new DirectoryInfo(keysDirectory));
        }

        return services;
    }

    /// <summary>The Redis backplane, when <c>Redis:Connection</c> is set: a message any instance sends reaches every instance's clients.</summary>
    public static ISignalRServerBuilder AddPortalBackplane(this ISignalRServerBuilder signalR, IConfiguration configuration)
    {
        var redis = configuration.GetSection(RedisOptions.Section).Get<RedisOptions>() ?? new RedisOptions();
        if (!redis.Enabled)
        {
            return signalR;
        }

        return signalR.AddStackExchangeRedis(redis.Connection!, o =>
        {
            o.Configuration.ChannelPrefix = RedisChannel.Literal(redis.ChannelPrefix);
            // Start even when Redis is briefly away; SignalR reconnects and the push resumes.
            o.Configuration.AbortOnConnectFail = false;
        });
    }
}
