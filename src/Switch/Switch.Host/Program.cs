using System.CommandLine;
using Switch.Host.Cli;

var root = new RootCommand("Switch: a national bill-payment switch. Run through ./switch, which sets up PostgreSQL and Redis.");
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(DemoCommand.Create());
root.Subcommands.Add(MigrateCommand.Create());
root.Subcommands.Add(IsoCommand.Create());
root.Subcommands.Add(BanksCommand.Create());
root.Subcommands.Add(ReversalsCommand.Create());
root.Subcommands.Add(KeysCommand.Create());
return await root.Parse(args).InvokeAsync();
