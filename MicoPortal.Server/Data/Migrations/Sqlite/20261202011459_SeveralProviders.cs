using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MicoPortal.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SeveralProviders : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Provider",
                table: "Orders",
                type: "TEXT",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ProvidersTried",
                table: "Orders",
                type: "TEXT",
                maxLength: 300,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Provider",
                table: "OrderAttempts",
                type: "TEXT",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Provider",
                table: "Incidents",
                type: "TEXT",
                maxLength: 32,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ProviderBalanceSamples",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Provider = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    Balance = table.Column<decimal>(type: "TEXT", precision: 18, scale: 4, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProviderBalanceSamples", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ProviderStates",
                columns: table => new
                {
                    Name = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Paused = table.Column<bool>(type: "INTEGER", nullable: false),
                    PauseReason = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    PausedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    PausedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Balance = table.Column<decimal>(type: "TEXT", precision: 18, scale: 4, nullable: true),
                    Currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: true),
                    BalanceAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProviderStates", x => x.Name);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ProviderBalanceSamples_Provider_At",
                table: "ProviderBalanceSamples",
                columns: new[] { "Provider", "At" });
        
            // Orders sent before there were several providers were sent to the one provider, now named default.
            migrationBuilder.Sql("""UPDATE "Orders" SET "Provider" = 'default' WHERE "CreateIssuedAt" IS NOT NULL OR "Status" <> 'Received'""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ProviderBalanceSamples");

            migrationBuilder.DropTable(
                name: "ProviderStates");

            migrationBuilder.DropColumn(
                name: "Provider",
                table: "Orders");

            migrationBuilder.DropColumn(
                name: "ProvidersTried",
                table: "Orders");

            migrationBuilder.DropColumn(
                name: "Provider",
                table: "OrderAttempts");

            migrationBuilder.DropColumn(
                name: "Provider",
                table: "Incidents");
        }
    }
}
