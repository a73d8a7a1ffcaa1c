//go:build !windows

package collect

import "context"

// realWinSource on other platforms answers every call with errNotWindows:
// the Windows collectors run here only against recordings.
func realWinSource() winSource { return notWindows{} }

type notWindows struct{}

func (notWindows) RegValues(string) (regValues, error)             { return nil, errNotWindows }
func (notWindows) RegSubkeys(string) ([]string, error)             { return nil, errNotWindows }
func (notWindows) WMI(string, string, any) error                   { return errNotWindows }
func (notWindows) ConsoleUser() (winUser, error)                   { return winUser{}, errNotWindows }
func (notWindows) ProcessToken() (winToken, error)                 { return winToken{}, errNotWindows }
func (notWindows) UserModals() (userModals, error)                 { return userModals{}, errNotWindows }
func (notWindows) LocalGroupMembers(string) ([]groupMember, error) { return nil, errNotWindows }
func (notWindows) JoinInfo() (joinInfo, error)                     { return joinInfo{}, errNotWindows }
func (notWindows) PowerSettings() (powerSettings, error)           { return powerSettings{}, errNotWindows }
func (notWindows) Listeners() ([]socketListener, error)            { return nil, errNotWindows }
func (notWindows) WLANProfiles() ([]wlanProfile, error)            { return nil, errNotWindows }
func (notWindows) SecurityPolicy(context.Context) ([]byte, error)  { return nil, errNotWindows }
func (notWindows) WindowsUpdate(context.Context) (wuaState, error) { return wuaState{}, errNotWindows }
