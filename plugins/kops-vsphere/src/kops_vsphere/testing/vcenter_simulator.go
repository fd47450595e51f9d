// Command vcenter_simulator serves govmomi's vCenter simulator on loopback for kops' vSphere testbed.
//
// It builds an inventory of one datacenter with several compute clusters (kops' zones) sharing one datastore,
// serves the SOAP API and the vAPI REST endpoints (tags and categories) over TLS with a certificate of its own,
// adds a VM template to clone, prints one JSON line describing the inventory on stdout once all of that
// answers, and serves until SIGINT or SIGTERM, or until its standard input closes (so it does not outlive the
// process that started it).
//
// Built with Debian's packages alone (golang-go, golang-github-vmware-govmomi-dev):
//
//	CGO_ENABLED=0 GO111MODULE=off GOPATH=/usr/share/gocode GOPROXY=off go build -o vcenter-simulator vcenter_simulator.go
package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"io/ioutil"
	"log"
	"math/big"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path"
	"syscall"
	"time"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"

	// Registers the vAPI REST endpoints (/rest/com/vmware/cis/...) with every vCenter the simulator serves.
	_ "github.com/vmware/govmomi/vapi/simulator"
)

// inventory is what the testbed needs to point kops at the simulator.
type inventory struct {
	URL          string   `json:"url"`
	Datacenter   string   `json:"datacenter"`
	Clusters     []string `json:"clusters"`
	ResourcePool string   `json:"resource_pool"`
	Datastore    string   `json:"datastore"`
	Network      string   `json:"network"`
	Template     string   `json:"template"`
}

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to serve on (port 0: a free one)")
	username := flag.String("username", "administrator@vsphere.local", "the only user the SOAP API accepts")
	password := flag.String("password", "", "that user's password")
	clusters := flag.Int("clusters", 3, "compute clusters in the datacenter")
	hosts := flag.Int("hosts", 2, "hosts in each cluster")
	template := flag.String("template", "ubuntu-22.04-server-cloudimg-amd64", "name of the VM template to add")
	caFile := flag.String("ca-file", "", "where to write the PEM certificate of the CA that signed the server's")
	flag.Parse()
	if *password == "" || *caFile == "" {
		log.Fatal("-password and -ca-file are required")
	}

	serverCert, caPEM, err := certificates()
	if err != nil {
		log.Fatalf("certificates: %v", err)
	}
	if err := ioutil.WriteFile(*caFile, caPEM, 0o644); err != nil {
		log.Fatalf("writing %s: %v", *caFile, err)
	}

	model := simulator.VPX()
	model.Cluster = *clusters
	model.ClusterHost = *hosts
	if err := model.Create(); err != nil {
		log.Fatalf("creating the inventory: %v", err)
	}
	defer model.Remove()

	model.Service.Listen = &url.URL{Host: *listen, User: url.UserPassword(*username, *password)}
	model.Service.RegisterEndpoints = true
	model.Service.TLS = &tls.Config{Certificates: []tls.Certificate{serverCert}}
	server := model.Service.NewServer()
	defer server.Close()

	inv, err := seed(server.URL, *template)
	if err != nil {
		log.Fatalf("adding the template: %v", err)
	}
	out, _ := json.Marshal(inv)
	fmt.Println(string(out))

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		_, _ = io.Copy(ioutil.Discard, os.Stdin)
		stop <- syscall.SIGTERM
	}()
	<-stop
}

// certificates makes a CA and a server certificate for 127.0.0.1 signed by it: clients then verify the
// simulator as they would a vCenter with a private CA (the simulator's built-in certificate has a 1024-bit
// key, which OpenSSL's default security level refuses).
func certificates() (tls.Certificate, []byte, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	now := time.Now()
	ca := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "vcenter simulator CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * 365 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	ca, err = x509.ParseCertificate(caDER)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	leaf := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * 365 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:     []string{"localhost"},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, ca, &key.PublicKey, caKey)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	cert := tls.Certificate{Certificate: [][]byte{leafDER, caDER}, PrivateKey: key}
	return cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), nil
}

// seed adds the template through the API, as an administrator would import an OS image and mark it a
// template, and reads back the names kops is pointed at. It leaves the simulator's own VMs as they are.
func seed(u *url.URL, template string) (*inventory, error) {
	ctx := context.Background()
	client, err := govmomi.NewClient(ctx, u, true)
	if err != nil {
		return nil, err
	}
	defer func() { _ = client.Logout(ctx) }()

	finder := find.NewFinder(client.Client, false)
	dc, err := finder.DefaultDatacenter(ctx)
	if err != nil {
		return nil, err
	}
	finder.SetDatacenter(dc)
	ccrs, err := finder.ClusterComputeResourceList(ctx, "*")
	if err != nil {
		return nil, err
	}
	inv := &inventory{Datacenter: dc.Name(), Template: template}
	for _, ccr := range ccrs {
		inv.Clusters = append(inv.Clusters, ccr.Name())
	}
	pool, err := finder.ResourcePool(ctx, path.Join(ccrs[0].InventoryPath, "Resources"))
	if err != nil {
		return nil, err
	}
	inv.ResourcePool = pool.InventoryPath
	ds, err := finder.DefaultDatastore(ctx)
	if err != nil {
		return nil, err
	}
	inv.Datastore = ds.Name()
	network, err := finder.Network(ctx, "VM Network")
	if err != nil {
		return nil, err
	}
	inv.Network = path.Base(network.GetInventoryPath())
	backing, err := network.EthernetCardBackingInfo(ctx)
	if err != nil {
		return nil, err
	}

	var devices object.VirtualDeviceList
	scsi, err := devices.CreateSCSIController("pvscsi")
	if err != nil {
		return nil, err
	}
	devices = append(devices, scsi)
	disk := devices.CreateDisk(scsi.(types.BaseVirtualController), ds.Reference(), "")
	disk.CapacityInKB = 20 * 1024 * 1024
	devices = append(devices, disk)
	nic, err := devices.CreateEthernetCard("vmxnet3", backing)
	if err != nil {
		return nil, err
	}
	devices = append(devices, nic)
	changes, err := devices.ConfigSpec(types.VirtualDeviceConfigSpecOperationAdd)
	if err != nil {
		return nil, err
	}
	changes[1].GetVirtualDeviceConfigSpec().FileOperation = types.VirtualDeviceConfigSpecFileOperationCreate

	folders, err := dc.Folders(ctx)
	if err != nil {
		return nil, err
	}
	spec := types.VirtualMachineConfigSpec{
		Name:         template,
		GuestId:      string(types.VirtualMachineGuestOsIdentifierUbuntu64Guest),
		NumCPUs:      2,
		MemoryMB:     4096,
		Files:        &types.VirtualMachineFileInfo{VmPathName: fmt.Sprintf("[%s]", ds.Name())},
		DeviceChange: changes,
	}
	task, err := folders.VmFolder.CreateVM(ctx, spec, pool, nil)
	if err != nil {
		return nil, err
	}
	info, err := task.WaitForResult(ctx, nil)
	if err != nil {
		return nil, err
	}
	vm := object.NewVirtualMachine(client.Client, info.Result.(types.ManagedObjectReference))
	if err := vm.MarkAsTemplate(ctx); err != nil {
		return nil, err
	}
	inv.URL = fmt.Sprintf("https://%s", u.Host)
	return inv, nil
}
