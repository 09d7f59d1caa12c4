namespace MicoPortal.Server.Data;

/// <summary>The database engines the portal runs on; each has its own migrations set under <c>Data/Migrations/{provider}</c>.</summary>
public enum DatabaseProvider
{
    /// <summary>Embedded default: one file under <c>DataDirectory</c>, one machine.</summary>
    Sqlite,

    /// <summary>Production: several portal instances share it (and Hangfire.SqlServer job storage).</summary>
    SqlServer,

    /// <summary>Production alternative, and the server the multi-instance tests run on (SQL Server does not run on our build machines).</summary>
    PostgreSql,
}

/// <summary>Section <c>Database</c>, plus the top-level <c>DataDirectory</c> key of docs/api.md section 6.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary><c>Sqlite</c> (embedded default), <c>SqlServer</c> or <c>PostgreSql</c>.</summary>
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>
    /// The connection string; <c>ConnectionStrings:Portal</c> takes precedence. Required for SqlServer and
    /// PostgreSql; for SQLite it overrides the file under <c>DataDirectory</c>.
    /// </summary>
    public string? ConnectionString { get; set; }

    public static DatabaseOptions From(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<DatabaseOptions>() ?? new DatabaseOptions();

    /// <summary>The configured connection string, or null when none is set.</summary>
    public string? ConfiguredConnectionString(IConfiguration configuration) =>
        configuration.GetConnectionString("Portal") is { Length: > 0 } fromConnectionStrings ? fromConnectionStrings
        : string.IsNullOrWhiteSpace(ConnectionString) ? null : ConnectionString;
}
